-- id: ip-outside-node-cidr
-- severity: warning
-- title: Endpoint IPs outside their node's pod CIDRs
-- meaning: Endpoints whose HostIP is a node's address have IPs outside every pod CIDR of that node. With cluster-pool or Kubernetes IPAM this means routing to the wrong node.
-- cause: Overlapping or changed pod CIDRs, a node that was re-created with another CIDR while old entries survived; normal with ENI, Azure or multi-pool IPAM, which allocate outside the node's CIDR.
-- action: With ENI/Azure/multi-pool IPAM ignore this (or --skip ip-outside-node-cidr); otherwise compare the node's CIDRs with the entries and look for node-cidr-overlap findings.
WITH ranges AS MATERIALIZED (
  -- The pod CIDRs of every node address (a host IP shared by two nodes gets both nodes' CIDRs:
  -- node-ip-duplicate reports that conflict).
  SELECT DISTINCT a.ip_bin AS host_bin, c.family, c.start_bin, c.end_bin
  FROM node_address a JOIN node_cidr c ON c.kv_id = a.kv_id
  WHERE a.snapshot_id = :snapshot AND a.scope = 'state'),
outside AS (
  SELECT p.kv_id, p.ip, p.host_ip, p.host_ip_bin
  FROM ipcache p
  WHERE p.snapshot_id = :snapshot AND p.scope = 'state' AND p.prefix_len IS NULL
    -- No CIDR of the host holds the entry's IP (an entry without an IP is held by none): in a healthy
    -- cluster the first probe finds one and the entry is done. Then the host must have a CIDR of the
    -- entry's family; a host without a CIDR of it is not reported.
    AND NOT EXISTS (SELECT 1 FROM ranges r WHERE r.host_bin = p.host_ip_bin AND p.ip_bin BETWEEN r.start_bin AND r.end_bin)
    AND EXISTS (SELECT 1 FROM ranges r WHERE r.host_bin = p.host_ip_bin
                AND r.family = CASE WHEN substr(p.ip_bin, 1, 12) = x'00000000000000000000FFFF' THEN 4 ELSE 6 END))
SELECT printf('%d endpoint IP(s) hosted on %s (node %s) lie outside its pod CIDRs', count(*), o.host_ip,
              (SELECT group_concat(DISTINCT a.node) FROM node_address a
               WHERE a.snapshot_id = :snapshot AND a.scope = 'state' AND a.ip_bin = o.host_ip_bin)) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('host_ip', o.host_ip, 'ips', json_group_array(o.ip)) AS details
FROM outside o JOIN kv k ON k.id = o.kv_id
GROUP BY o.host_ip_bin
