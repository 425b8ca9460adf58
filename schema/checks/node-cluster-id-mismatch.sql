-- id: node-cluster-id-mismatch
-- severity: error
-- title: Node entry with another cluster's ID
-- meaning: A node of the local cluster carries a ClusterID different from the cluster's, or a cached remote node one different from its cluster's config. Cilium 1.14+ validates it and clustermesh peers drop or misroute such nodes.
-- cause: The cluster ID changed without restarting every agent, or the clustermesh-apiserver ran with the wrong cluster-id (cilium/cilium#20312).
-- action: Make cluster-id the same in every component's configuration and restart the agents of the listed nodes.
SELECT printf('node %s has ClusterID %d, its cluster %s has %d', n.key_name, n.cluster_id, n.key_cluster,
              CASE WHEN n.scope = 'cache' THEN cc.id ELSE :cluster_id END) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('node', n.key_name, 'cluster', n.key_cluster, 'cluster_id', n.cluster_id,
                   'expected', CASE WHEN n.scope = 'cache' THEN cc.id ELSE :cluster_id END) AS details
FROM node n JOIN kv k ON k.id = n.kv_id
LEFT JOIN cluster_config cc ON cc.snapshot_id = n.snapshot_id AND cc.cluster = n.key_cluster
WHERE n.snapshot_id = :snapshot AND n.cluster_id IS NOT NULL
  AND ((n.scope = 'state' AND n.key_cluster = :cluster_name AND n.cluster_id <> :cluster_id)
    OR (n.scope = 'cache' AND cc.id IS NOT NULL AND n.cluster_id <> cc.id))
