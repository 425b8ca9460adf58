-- id: cache-without-config
-- severity: error
-- title: KVStoreMesh cache of a cluster without its cluster config
-- meaning: There are cilium/cache/... entries for a remote cluster but no cilium/cluster-config/<remote> with cached: true. KVStoreMesh deletes the config first when it drops a cluster, so this is stale cached data agents may still use (cilium/cilium PR #33153).
-- cause: A remote cluster was disconnected and its cache was not drained (older KVStoreMesh, or --disable-drain-on-disconnection).
-- action: If the remote cluster is no longer in the mesh, delete cilium/cache/*/v1/<remote>/ and cilium/synced/<remote>/; otherwise check KVStoreMesh's status (kvstoremesh-dbg status).
WITH cache_keys AS (
  -- The cache's keys, from the partial index kv_cache (this range of keys is its WHERE, verbatim).
  SELECT id FROM kv WHERE snapshot_id = :snapshot
    AND key >= X'63696c69756d2f63616368652f' AND key < X'63696c69756d2f636163686530'),
cached(cluster, kv_id) AS (
  SELECT t.cluster, t.kv_id FROM cache_keys c JOIN identity t ON t.kv_id = c.id WHERE t.scope = 'cache'
  UNION ALL SELECT t.cluster, t.kv_id FROM cache_keys c JOIN ipcache t ON t.kv_id = c.id WHERE t.scope = 'cache'
  UNION ALL SELECT t.key_cluster, t.kv_id FROM cache_keys c JOIN node t ON t.kv_id = c.id WHERE t.scope = 'cache'
  UNION ALL SELECT t.key_cluster, t.kv_id FROM cache_keys c JOIN service t ON t.kv_id = c.id WHERE t.scope = 'cache'),
-- The sync canaries of those clusters' caches go stale with them: they are part of what to delete.
entries(cluster, kv_id, canary) AS (
  SELECT cluster, kv_id, 0 FROM cached
  UNION ALL SELECT m.cluster, m.kv_id, 1 FROM sync_marker m
    WHERE m.snapshot_id = :snapshot AND m.cluster IN (SELECT cluster FROM cached))
SELECT printf('%d cached entries of cluster %s, which has no cluster config%s%s', sum(c.canary = 0), c.cluster,
              CASE WHEN cc.cluster IS NULL THEN '' ELSE ' marked cached' END,
              CASE WHEN sum(c.canary) > 0 THEN printf(' (and %d sync canaries)', sum(c.canary)) ELSE '' END) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('cluster', c.cluster, 'entries', sum(c.canary = 0), 'sync_canaries', sum(c.canary),
                   'config_present', cc.cluster IS NOT NULL) AS details
FROM entries c JOIN kv k ON k.id = c.kv_id
LEFT JOIN cluster_config cc ON cc.snapshot_id = :snapshot AND cc.cluster = c.cluster
WHERE cc.cluster IS NULL OR cc.cached = 0
GROUP BY c.cluster
