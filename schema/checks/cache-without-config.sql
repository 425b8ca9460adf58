-- id: cache-without-config
-- severity: error
-- title: KVStoreMesh cache of a cluster without its cluster config
-- meaning: There are cilium/cache/... entries for a remote cluster but no cilium/cluster-config/<remote> with cached: true. KVStoreMesh deletes the config first when it drops a cluster, so this is stale cached data agents may still use (cilium/cilium PR #33153).
-- cause: A remote cluster was disconnected and its cache was not drained (older KVStoreMesh, or --disable-drain-on-disconnection).
-- action: If the remote cluster is no longer in the mesh, delete cilium/cache/*/v1/<remote>/ and cilium/synced/<remote>/; otherwise check KVStoreMesh's status (kvstoremesh-dbg status).
WITH cached(cluster, kv_id) AS (
  SELECT cluster, kv_id FROM identity WHERE snapshot_id = :snapshot AND scope = 'cache'
  UNION ALL SELECT cluster, kv_id FROM ipcache WHERE snapshot_id = :snapshot AND scope = 'cache'
  UNION ALL SELECT key_cluster, kv_id FROM node WHERE snapshot_id = :snapshot AND scope = 'cache'
  UNION ALL SELECT key_cluster, kv_id FROM service WHERE snapshot_id = :snapshot AND scope = 'cache')
SELECT printf('%d cached entries of cluster %s, which has no cluster config%s', count(*), c.cluster,
              CASE WHEN cc.cluster IS NULL THEN '' ELSE ' marked cached' END) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('cluster', c.cluster, 'entries', count(*), 'config_present', cc.cluster IS NOT NULL) AS details
FROM cached c JOIN kv k ON k.id = c.kv_id
LEFT JOIN cluster_config cc ON cc.snapshot_id = :snapshot AND cc.cluster = c.cluster
WHERE cc.cluster IS NULL OR cc.cached = 0
GROUP BY c.cluster
