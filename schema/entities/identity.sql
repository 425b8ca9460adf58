-- entity: identity
-- description: security identities (master keys) by numeric id; KVStoreMesh copies as cache:<cluster>/<id>
-- moved-by: labels
SELECT CASE WHEN i.scope = 'cache' THEN 'cache:' || i.cluster || '/' ELSE '' END || i.id AS id,
       json_object('labels', i.labels, 'namespace', i.namespace, 'cluster_label', i.cluster_label) AS fields,
       json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision, 'version', k.version, 'lease', k.lease) AS meta
FROM identity i JOIN kv k ON k.id = i.kv_id
WHERE i.snapshot_id = :snapshot
ORDER BY id
