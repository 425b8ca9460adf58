-- description: The nodes with their addresses and pod CIDRs (state and KVStoreMesh cache)
SELECT n.scope, coalesce(n.key_cluster, '') AS cluster, n.key_name AS node, n.cluster_id,
       (SELECT group_concat(a.ip, ' ') FROM node_address a WHERE a.kv_id = n.kv_id AND a.type = 'InternalIP') AS internal_ip,
       (SELECT group_concat(a.ip, ' ') FROM node_address a WHERE a.kv_id = n.kv_id AND a.type = 'CiliumInternalIP') AS cilium_ip,
       (SELECT group_concat(c.cidr || CASE WHEN c.kind = 'secondary' THEN ' (2nd)' ELSE '' END, ' ') FROM node_cidr c WHERE c.kv_id = n.kv_id) AS pod_cidrs,
       n.source, k.lease
FROM node n JOIN kv k ON k.id = n.kv_id
WHERE n.snapshot_id = current_snapshot()
ORDER BY n.scope DESC, cluster, node
