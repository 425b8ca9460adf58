-- id: node-ip-duplicate
-- severity: error
-- title: Two nodes announce the same IP
-- meaning: The same address (InternalIP, ExternalIP, CiliumInternalIP, health or ingress IP) appears on more than one node entry: tunnels and routes to it go to one of them (cilium/cilium#32188 'Detected conflicting tunnel peer').
-- cause: A node was re-created under another name with the old one's address while the old entry survived, or CiliumInternalIP/health IPs were allocated twice (overlapping CIDRs).
-- action: Delete the entry of the node that no longer exists; check node-cidr-overlap findings.
SELECT printf('%s is an address of %d nodes: %s', a.ip, count(DISTINCT a.cluster || '/' || a.node), group_concat(DISTINCT a.node)) AS message,
       json_group_array(DISTINCT CAST(k.key AS TEXT)) AS keys,
       json_object('ip', a.ip, 'types', json_group_array(DISTINCT a.type), 'nodes', json_group_array(DISTINCT a.node)) AS details
FROM node_address a JOIN kv k ON k.id = a.kv_id
WHERE a.snapshot_id = :snapshot AND a.scope = 'state' AND a.ip_bin IS NOT NULL
GROUP BY a.ip_bin HAVING count(DISTINCT a.cluster || '/' || a.node) > 1
