-- entity: identity_ref
-- description: identity references (slave keys) by label set and node IP: which node uses which identity
SELECT CASE WHEN r.scope = 'cache' THEN 'cache:' || r.cluster || '/' ELSE '' END || r.node_ip || ' ' || r.labels AS id,
       json_object('identity', r.identity) AS fields,
       json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision, 'version', k.version, 'lease', k.lease) AS meta
FROM identity_ref r JOIN kv k ON k.id = r.kv_id
WHERE r.snapshot_id = :snapshot
ORDER BY id
