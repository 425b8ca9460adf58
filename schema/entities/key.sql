-- entity: key
-- description: every other key (no entity above decodes it, or it failed to decode) as raw key and value

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array), and
-- :metadata, 1 when the meta column is compared (--include-metadata).
-- Most differing keys decoded into the tables of the entities above: those without a decode error
-- are left out before kv, the largest table, is read (each of those tables is filled from one of
-- the layouts named below, and from no other).
-- The label column: the Cilium layout the key matched and, when it did not decode, why; or that it matched none.
SELECT display_bytes(k.key) AS id,
       json_object('value', display_bytes(k.value), 'layout', l.name) AS fields,
       CASE WHEN :metadata THEN json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision, 'version', k.version,
                                        'lease', k.lease) END AS meta,
       coalesce((SELECT e.layout || ' key that does not decode: ' || e.error FROM decode_error e WHERE e.kv_id = k.id LIMIT 1),
                l.name || ' key', 'a key no Cilium layout matches') AS label
FROM (SELECT d.value AS id FROM json_each(:ids) d
      WHERE EXISTS (SELECT 1 FROM decode_error e WHERE e.kv_id = d.value)
         OR NOT (EXISTS (SELECT 1 FROM ipcache t WHERE t.kv_id = d.value)
                 OR EXISTS (SELECT 1 FROM identity_ref t WHERE t.kv_id = d.value)
                 OR EXISTS (SELECT 1 FROM service t WHERE t.kv_id = d.value)
                 OR EXISTS (SELECT 1 FROM identity t WHERE t.kv_id = d.value)
                 OR EXISTS (SELECT 1 FROM node t WHERE t.kv_id = d.value)
                 OR EXISTS (SELECT 1 FROM cluster_config t WHERE t.kv_id = d.value))) x
CROSS JOIN kv k ON k.id = x.id LEFT JOIN key_layout l ON l.id = k.layout_id
WHERE k.snapshot_id = :snapshot
  AND (l.name IS NULL
       OR l.name NOT IN ('identity-master', 'identity-slave', 'ipcache', 'node', 'node-register', 'service', 'cluster-config')
       OR EXISTS (SELECT 1 FROM decode_error e WHERE e.kv_id = k.id))
ORDER BY id
