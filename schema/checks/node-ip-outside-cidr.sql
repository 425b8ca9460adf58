-- id: node-ip-outside-cidr
-- severity: warning
-- title: Node's own Cilium IPs outside its pod CIDRs
-- meaning: The CiliumInternalIP, health or ingress IP of a node lies outside all of its pod CIDRs of that family. They are allocated from the node's pod CIDR with cluster-pool and Kubernetes IPAM.
-- cause: The CIDR changed after the IPs were allocated (agent not restarted), or ENI/Azure/multi-pool IPAM, where this is normal.
-- action: With ENI/Azure/multi-pool IPAM ignore this; otherwise restart the node's agent so it re-allocates its router and health IPs.
SELECT printf('%s %s of node %s is outside its pod CIDRs', a.type, a.ip, a.node) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('node', a.node, 'type', a.type, 'ip', a.ip,
                   'cidrs', (SELECT json_group_array(c.cidr) FROM node_cidr c WHERE c.kv_id = a.kv_id AND c.family = a.family)) AS details
FROM node_address a JOIN kv k ON k.id = a.kv_id
WHERE a.snapshot_id = :snapshot AND a.scope = 'state' AND a.type IN ('CiliumInternalIP', 'HealthIP', 'IngressIP')
  AND EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = a.kv_id AND c.family = a.family)
  AND NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = a.kv_id AND a.ip_bin BETWEEN c.start_bin AND c.end_bin)
