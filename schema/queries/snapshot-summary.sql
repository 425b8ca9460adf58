-- description: Every snapshot in the database: source, format, revision, keys, and what was decoded
SELECT s.id, s.name, s.format, s.revision, s.key_count AS keys,
       (SELECT count(*) FROM node n WHERE n.snapshot_id = s.id AND n.scope = 'state') AS nodes,
       (SELECT count(*) FROM identity i WHERE i.snapshot_id = s.id AND i.scope = 'state') AS identities,
       (SELECT count(*) FROM ipcache p WHERE p.snapshot_id = s.id AND p.scope = 'state') AS ips,
       (SELECT count(*) FROM service v WHERE v.snapshot_id = s.id AND v.scope = 'state') AS services,
       (SELECT count(*) FROM kv k WHERE k.snapshot_id = s.id AND k.key >= X'63696c69756d2f63616368652f' AND k.key < X'63696c69756d2f636163686530') AS cached_keys,  -- cilium/cache/ .. cilium/cache0: index kv_cache
       (SELECT count(*) FROM decode_error e WHERE e.snapshot_id = s.id) AS decode_errors,
       s.cluster_name, s.imported_at, s.source
FROM snapshot s ORDER BY s.id
