-- id: cluster-id-conflict
-- severity: error
-- title: Two clusters with the same cluster ID
-- meaning: Two cluster configs (cilium/cluster-config/<name>) carry the same ID, or a remote cluster has the local cluster's ID: their identity ranges collide (cilium/cilium#32753, #20312). Cilium 1.16+ refuses to connect to a remote with the local ID.
-- cause: A cluster was set up with a copied configuration, or a cluster ID was left at its default.
-- action: Give every cluster in the mesh a unique cluster-id (1..255 or 1..511); this needs a restart of all of that cluster's Cilium components.
SELECT printf('clusters %s share cluster ID %d', group_concat(c.cluster, ', '), c.id) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('cluster_id', c.id, 'clusters', json_group_array(c.cluster)) AS details
FROM cluster_config c JOIN kv k ON k.id = c.kv_id
WHERE c.snapshot_id = :snapshot
GROUP BY c.id HAVING count(*) > 1
UNION ALL
SELECT printf('remote cluster %s has the local cluster ID %d of %s', c.cluster, c.id, :cluster_name),
       json_array(CAST(k.key AS TEXT)),
       json_object('cluster', c.cluster, 'cluster_id', c.id, 'local_cluster', :cluster_name)
FROM cluster_config c JOIN kv k ON k.id = c.kv_id
WHERE c.snapshot_id = :snapshot AND c.cluster <> :cluster_name AND c.id = :cluster_id AND :cluster_id <> 0
  AND (SELECT count(*) FROM cluster_config x WHERE x.snapshot_id = :snapshot AND x.id = c.id) = 1
