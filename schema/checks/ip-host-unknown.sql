-- id: ip-host-unknown
-- severity: warning
-- title: IP cache entries hosted on an unknown node
-- meaning: The HostIP of ipcache entries is no address of any node entry: traffic to those endpoints is sent to a node other nodes do not know (tunnel/route to nowhere).
-- cause: The node was removed but its endpoints' entries survived (lease not yet expired), or the node entry itself is missing from the kvstore.
-- action: If the node is gone, its entries expire with its agent's lease; if it exists, check that its agent writes its node entry (cilium/state/nodes/v1).
SELECT printf('%d endpoint(s) on host %s, which is no node''s address', count(*), p.host_ip) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('host_ip', p.host_ip, 'endpoints', count(*)) AS details
FROM ipcache p JOIN kv k ON k.id = p.kv_id
WHERE p.snapshot_id = :snapshot AND p.scope = 'state' AND p.host_ip_bin IS NOT NULL
  AND EXISTS (SELECT 1 FROM node WHERE snapshot_id = :snapshot AND scope = 'state')
  -- a list of the few node addresses, built once, rather than a probe of node_address per entry
  AND p.host_ip_bin NOT IN (SELECT a.ip_bin FROM node_address a WHERE a.snapshot_id = :snapshot AND a.scope = 'state'
                            AND a.ip_bin IS NOT NULL)
GROUP BY p.host_ip
