-- description: The nodes whose pod CIDR equals, contains or is inside a CIDR, with the endpoints and node addresses in it
-- param: cidr the CIDR, IPv4 or IPv6 (an IP alone means /32 or /128), e.g. -p cidr=10.0.1.0/24
WITH arg AS MATERIALIZED (
  SELECT c AS cidr, CAST(substr(c, instr(c, '/') + 1) AS INTEGER) AS len, CASE WHEN instr(c, ':') > 0 THEN 6 ELSE 4 END AS family,
         coalesce(cidr_overlaps(c, c), 0) AS ok
  FROM (SELECT CASE WHEN instr(:cidr, '/') > 0 THEN :cidr WHEN instr(:cidr, ':') > 0 THEN :cidr || '/128' ELSE :cidr || '/32' END AS c)),
claim AS MATERIALIZED (
  -- Two CIDRs overlap only when one holds the other: the prefix lengths tell which.
  SELECT c.*, CASE WHEN c.prefix_len = arg.len THEN 'equal to' WHEN c.prefix_len < arg.len THEN 'contains' ELSE 'inside' END AS relation
  FROM arg JOIN node_cidr c ON c.snapshot_id = current_snapshot() AND c.family = arg.family
  WHERE arg.ok AND cidr_overlaps(c.cidr, arg.cidr) = 1),
ep0 AS MATERIALIZED (
  -- The ipcache entries in the CIDR, each with the node its HostIP belongs to (an InternalIP first).
  SELECT p.scope, p.cluster, p.ip_bin, p.host_ip, p.node_name,
         (SELECT a.kv_id FROM node_address a
          WHERE a.snapshot_id = p.snapshot_id AND a.ip_bin = p.host_ip_bin AND a.scope = p.scope AND (p.scope = 'state' OR a.cluster = p.cluster)
          ORDER BY a.type <> 'InternalIP', a.rowid LIMIT 1) AS node_kv
  FROM arg JOIN ipcache p ON p.snapshot_id = current_snapshot()
  WHERE arg.ok AND cidr_contains(arg.cidr, p.ip) = 1),
ep AS MATERIALIZED (
  SELECT e.scope, e.cluster, coalesce(d.key_name, nullif(e.node_name, ''), '(unknown node ' || coalesce(nullif(e.host_ip, ''), '?') || ')') AS node,
         EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = e.node_kv AND e.ip_bin BETWEEN c.start_bin AND c.end_bin) AS in_node_cidr
  FROM ep0 e LEFT JOIN node d ON d.kv_id = e.node_kv),
fact(g, sub, scope, cluster, fact, value, detail) AS MATERIALIZED (
  SELECT 1, hex(c.start_bin) || printf('%03d', c.prefix_len) || c.node, c.scope, c.cluster, 'claimed by', c.node,
         c.cidr || ' (' || c.kind || '): ' || c.relation || ' ' || arg.cidr
  FROM claim c, arg
  UNION ALL
  SELECT 2, (scope <> 'state') || ' ' || coalesce(cluster, ''), scope, cluster, 'endpoints', CAST(count(*) AS TEXT), 'ipcache entries in ' || arg.cidr
  FROM ep, arg GROUP BY scope, cluster
  UNION ALL
  SELECT 2, '', '', '', 'endpoints', '0', 'no ipcache entry in ' || arg.cidr
  FROM arg WHERE arg.ok AND NOT EXISTS (SELECT 1 FROM ep)
  UNION ALL
  SELECT 3, (scope <> 'state') || ' ' || coalesce(cluster, '') || ' ' || node, scope, cluster, 'endpoints on node', node,
         count(*) || CASE count(*) WHEN 1 THEN ' endpoint' ELSE ' endpoints' END
         || CASE WHEN sum(in_node_cidr) < count(*) THEN ', ' || (count(*) - sum(in_node_cidr)) || ' outside the node''s pod CIDRs' ELSE '' END
  FROM ep GROUP BY scope, cluster, node
  UNION ALL
  SELECT 4, hex(a.ip_bin), a.scope, a.cluster, 'node address', a.ip, a.type || ' of ' || a.node
  FROM arg JOIN node_address a ON a.snapshot_id = current_snapshot() AND a.family = arg.family
  WHERE arg.ok AND cidr_contains(arg.cidr, a.ip) = 1)
SELECT scope, CASE WHEN scope = 'cache' THEN coalesce(cluster, '') ELSE '' END AS cluster, fact, value, detail
FROM (
  SELECT * FROM fact
  UNION ALL
  SELECT 0, '', '', '', CASE WHEN arg.ok THEN 'not claimed' ELSE 'not a CIDR' END, :cidr,
         CASE WHEN arg.ok THEN 'no node''s pod CIDR equals, contains or is inside it in snapshot ' || current_snapshot()
              ELSE 'give an IPv4 or IPv6 CIDR, e.g. -p cidr=10.0.1.0/24' END
  FROM arg WHERE NOT EXISTS (SELECT 1 FROM claim))
ORDER BY g, sub
