-- id: ip-outside-node-cidr
-- severity: warning
-- title: Endpoint IPs outside their node's pod CIDRs
-- meaning: Endpoints whose HostIP is a node's address have IPs outside every pod CIDR of that node. With cluster-pool or Kubernetes IPAM this means routing to the wrong node.
-- cause: Overlapping or changed pod CIDRs, a node that was re-created with another CIDR while old entries survived; normal with ENI, Azure or multi-pool IPAM, which allocate outside the node's CIDR.
-- action: With ENI/Azure/multi-pool IPAM ignore this (or --skip ip-outside-node-cidr); otherwise compare the node's CIDRs with the entries and look for node-cidr-overlap findings.
WITH hosted AS (
  SELECT p.*, a.cluster AS node_cluster, a.node AS node
  FROM ipcache p JOIN node_address a ON a.snapshot_id = p.snapshot_id AND a.scope = 'state' AND a.ip_bin = p.host_ip_bin
  WHERE p.snapshot_id = :snapshot AND p.scope = 'state' AND p.prefix_len IS NULL
  GROUP BY p.kv_id)
SELECT printf('%d endpoint IP(s) hosted on node %s lie outside its pod CIDRs', count(*), h.node) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('node', h.node, 'cluster', h.node_cluster, 'ips', json_group_array(h.ip)) AS details
FROM hosted h JOIN kv k ON k.id = h.kv_id
WHERE EXISTS (SELECT 1 FROM node_cidr c WHERE c.snapshot_id = h.snapshot_id AND c.scope = 'state' AND c.cluster IS h.node_cluster
              AND c.node = h.node AND c.family = CASE WHEN substr(h.ip_bin, 1, 12) = x'00000000000000000000FFFF' THEN 4 ELSE 6 END)
  AND NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.snapshot_id = h.snapshot_id AND c.scope = 'state' AND c.cluster IS h.node_cluster
                  AND c.node = h.node AND h.ip_bin BETWEEN c.start_bin AND c.end_bin)
GROUP BY h.node_cluster, h.node
