-- id: ip-identity-missing
-- severity: error
-- title: IP cache entry pointing at an identity that does not exist
-- meaning: An ipcache entry maps an endpoint IP to an identity whose master key is not in the kvstore: other nodes cannot resolve the endpoint's labels and apply policy for it as an unknown identity (cilium/cilium#6221).
-- cause: The identity was garbage-collected or deleted while the endpoint still exists, or the entry is stale (the endpoint is gone but its entry survived).
-- action: Check whether the pod still exists; restart its agent's endpoint regeneration (or the agent) so it re-allocates and re-publishes, or delete the stale entry. Etcds without identities (identity-allocation-mode crd) are skipped.
WITH known AS MATERIALIZED (
  SELECT DISTINCT scope, coalesce(cluster, '') AS cluster FROM identity WHERE snapshot_id = :snapshot),
-- An identity with a master key in every scope and cluster holding identities cannot be missing
-- for any entry: only the entries of the other identities (found in the ipcache index alone) and
-- of identity 0 are read and judged one by one.
suspect(identity) AS MATERIALIZED (
  SELECT 0
  UNION
  SELECT v.identity FROM (SELECT DISTINCT identity FROM ipcache WHERE snapshot_id = :snapshot AND identity >= 256) v
  WHERE (SELECT count(DISTINCT i.scope || '/' || coalesce(i.cluster, '')) FROM identity i
         WHERE i.snapshot_id = :snapshot AND i.id = v.identity) < (SELECT count(*) FROM known))
SELECT CASE WHEN p.identity = 0 THEN printf('%s points at identity 0 (unknown)', p.ip)
            ELSE printf('%s points at identity %d, which has no master key', p.ip, p.identity) END AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('ip', p.ip, 'identity', p.identity, 'pod', p.k8s_pod_name, 'namespace', p.k8s_namespace,
                   'node', p.node_name, 'scope', p.scope) AS details
FROM suspect s
JOIN ipcache p ON p.snapshot_id = :snapshot AND p.identity = s.identity
JOIN kv k ON k.id = p.kv_id
WHERE p.identity = 0 OR (
       -- only where this etcd holds identities for the entry's scope and cluster (not in CRD mode)
       (p.scope, coalesce(p.cluster, '')) IN (SELECT scope, cluster FROM known)
       AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = p.snapshot_id AND i.id = p.identity
                       AND i.scope = p.scope AND i.cluster IS p.cluster))
