-- entity: identity_ref
-- description: identity references (slave keys) by label set and node IP: which node uses which identity

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before identity_ref (CROSS JOIN keeps the order): identity_ref is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- The label column: the identity and the node (by the node entry that has the key's IP) using it.
SELECT CASE WHEN r.scope = 'cache' THEN 'cache:' || r.cluster || '/' ELSE '' END || r.node_ip || ' ' || ls.labels AS id,
       json_object('identity', r.identity) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = r.kv_id) END AS meta,
       ltrim(coalesce(', identity ' || r.identity, '')
             || ', node ' || coalesce((SELECT a.node FROM node_address a
                                       WHERE a.snapshot_id = r.snapshot_id AND a.ip_bin = r.node_ip_bin AND a.scope = r.scope
                                         AND (r.scope = 'state' OR a.cluster = r.cluster)
                                       ORDER BY a.type <> 'InternalIP', a.node LIMIT 1) || ' (' || r.node_ip || ')', r.node_ip), ', ') AS label
FROM json_each(:ids) d CROSS JOIN identity_ref r ON r.kv_id = d.value
JOIN label_set ls ON ls.id = r.label_set_id
WHERE r.snapshot_id = :snapshot
ORDER BY id
