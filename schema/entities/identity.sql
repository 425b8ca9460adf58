-- entity: identity
-- description: security identities (master keys) by numeric id; KVStoreMesh copies as cache:<cluster>/<id>
-- moved-by: labels
-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
SELECT CASE WHEN i.scope = 'cache' THEN 'cache:' || i.cluster || '/' ELSE '' END || i.id AS id,
       json_object('labels', i.labels, 'namespace', i.namespace, 'cluster_label', i.cluster_label) AS fields,
       json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision, 'version', k.version, 'lease', k.lease) AS meta
FROM json_each(:ids) d JOIN kv k ON k.id = d.value JOIN identity i ON i.kv_id = k.id
WHERE i.snapshot_id = :snapshot
ORDER BY id
