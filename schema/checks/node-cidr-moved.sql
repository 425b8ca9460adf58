-- id: node-cidr-moved
-- severity: error
-- title: Node pod CIDR changed while endpoints stay in the old one
-- meaning: A node announced a pod CIDR in the earlier snapshot that it no longer announces, yet IP cache entries hosted on that node still hold IPs of the old CIDR and of none of its current ones. Routes and tunnels follow the current CIDRs, so traffic to those pods is lost until they get new IPs. The finding names those entries and the node's key.
-- cause: The node's podCIDR was changed (IPAM reconfiguration, a node object re-created) without restarting its pods.
-- action: Restart the listed pods on that node so they get IPs from the current CIDR; check why the CIDR changed.
-- requires: baseline
WITH gone AS MATERIALIZED (  -- usually empty: nothing else is read then
  SELECT n.key_cluster, n.key_name, oc.cidr, oc.start_bin, oc.end_bin
  FROM old.node n JOIN old.node_cidr oc ON oc.kv_id = n.kv_id
  WHERE n.snapshot_id = :baseline AND n.scope = 'state'
    AND NOT EXISTS (SELECT 1 FROM node m JOIN node_cidr c ON c.kv_id = m.kv_id
                    WHERE m.snapshot_id = :snapshot AND m.scope = 'state' AND m.key_cluster IS n.key_cluster
                      AND m.key_name = n.key_name AND c.cidr = oc.cidr)),
current AS (
  SELECT m.kv_id, m.key_cluster, m.key_name FROM node m WHERE m.snapshot_id = :snapshot AND m.scope = 'state'),
hosts AS (
  SELECT DISTINCT c.kv_id, c.key_cluster, c.key_name, a.ip_bin FROM current c JOIN node_address a ON a.kv_id = c.kv_id)
SELECT printf('node %s no longer announces %s, but %d endpoint(s) it hosts still have IPs in it', g.key_name, g.cidr,
              count(DISTINCT p.kv_id)) AS message,
       json_insert(json_group_array(DISTINCT CAST(pk.key AS TEXT)), '$[#]', CAST(nk.key AS TEXT)) AS keys,
       json_object('node', g.key_name, 'old_cidr', g.cidr, 'node_key', CAST(nk.key AS TEXT),
                   'ips', json_group_array(DISTINCT p.ip)) AS details
-- In this order (CROSS JOIN keeps it): each gone CIDR, the entries in it (a range of the ipcache_ip
-- index), then their hosts.
FROM gone g
CROSS JOIN ipcache p ON p.snapshot_id = :snapshot AND p.ip_bin BETWEEN g.start_bin AND g.end_bin AND p.scope = 'state'
JOIN hosts h ON h.ip_bin = p.host_ip_bin AND h.key_cluster IS g.key_cluster AND h.key_name = g.key_name
JOIN kv nk ON nk.id = h.kv_id
JOIN main.kv pk ON pk.id = p.kv_id
WHERE NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = h.kv_id AND p.ip_bin BETWEEN c.start_bin AND c.end_bin)
GROUP BY g.key_cluster, g.key_name, g.cidr
