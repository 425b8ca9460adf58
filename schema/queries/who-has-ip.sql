-- description: Who has an IP: ipcache entry, pod, identity and labels, node (does its pod CIDR hold the IP?), services
-- param: ip the IP, IPv4 or IPv6, e.g. -p ip=10.0.1.8
WITH arg AS MATERIALIZED (
  SELECT ip_bin(:ip) AS b, ip_text(ip_bin(:ip)) AS ip,
         CASE WHEN substr(ip_bin(:ip), 1, 12) = x'00000000000000000000ffff' THEN 4 ELSE 6 END AS family),
hit AS MATERIALIZED (
  -- The ipcache entries of the IP (the ipcache_ip index), and CIDR entries holding it (a scan).
  SELECT e.*, row_number() OVER (ORDER BY e.scope DESC, e.cluster, e.prefix_len IS NOT NULL, e.prefix_len DESC, e.key_ip) AS n
  FROM (SELECT p.* FROM arg JOIN ipcache p ON p.snapshot_id = current_snapshot() AND p.ip_bin = arg.b
        WHERE p.prefix_len IS NULL
        UNION ALL
        SELECT p.* FROM arg JOIN ipcache p ON p.snapshot_id = current_snapshot()
        WHERE p.prefix_len IS NOT NULL AND arg.b BETWEEN p.start_bin AND p.end_bin) e),
hit_identity AS MATERIALIZED (
  SELECT h.n, i.kv_id, i.scope, i.cluster, i.labels, i.label_count, i.canonical
  FROM hit h CROSS JOIN identity i ON i.snapshot_id = h.snapshot_id AND i.id = h.identity AND i.scope = h.scope AND i.cluster IS h.cluster),
hit_node AS MATERIALIZED (
  -- The node hosting each entry: the one with the entry's HostIP among its addresses, or named by its Metadata.
  SELECT h.n, a.kv_id FROM hit h JOIN node_address a
    ON a.snapshot_id = h.snapshot_id AND a.ip_bin = h.host_ip_bin AND a.scope = h.scope AND (h.scope = 'state' OR a.cluster = h.cluster)
  UNION
  SELECT h.n, d.kv_id FROM hit h JOIN node d
    ON d.snapshot_id = h.snapshot_id AND d.key_name = h.node_name AND d.scope = h.scope AND (h.scope = 'state' OR d.key_cluster = h.cluster)),
lbl(n, scope, cluster, pos, label, rest) AS (
  -- The identity's labels as stored (source:key=value), split at ';' as Cilium splits them.
  SELECT n, scope, cluster, 0, NULL, labels FROM hit_identity
  UNION ALL
  SELECT n, scope, cluster, pos + 1,
         CASE WHEN instr(rest, ';') > 0 THEN substr(rest, 1, instr(rest, ';') - 1) ELSE rest END,
         CASE WHEN instr(rest, ';') > 0 THEN substr(rest, instr(rest, ';') + 1) ELSE '' END
  FROM lbl WHERE rest <> ''),
fact(g, n, k, sub, scope, cluster, fact, value, detail) AS MATERIALIZED (
  SELECT 1, h.n, 1, 0, h.scope, h.cluster, 'ipcache entry', h.key_ip,
         (SELECT CAST(k.key AS TEXT) FROM kv k WHERE k.id = h.kv_id)
         || CASE WHEN h.prefix_len IS NOT NULL THEN ' (a CIDR entry holding ' || arg.ip || ')' ELSE '' END
  FROM hit h, arg
  UNION ALL
  SELECT 1, h.n, 2, 0, h.scope, h.cluster, 'pod',
         CASE WHEN coalesce(h.k8s_pod_name, '') = '' THEN '(none)' ELSE coalesce(h.k8s_namespace, '') || '/' || h.k8s_pod_name END,
         CASE WHEN h.endpoint_id IS NULL THEN '' ELSE 'endpoint ' || h.endpoint_id END
         || CASE WHEN coalesce(h.k8s_pod_name, '') <> '' THEN ''
                 WHEN h.endpoint_id IS NULL THEN 'no K8sPodName (not a pod)'
                 ELSE ', no K8sPodName (not a pod)' END
  FROM hit h
  UNION ALL
  SELECT 1, h.n, 2, o.ip_bin, o.scope, o.cluster, 'other IP of pod', o.key_ip,
         trim(coalesce('endpoint ' || o.endpoint_id, '') || coalesce(' on ' || nullif(o.node_name, ''), ''))
  FROM hit h CROSS JOIN ipcache o ON o.snapshot_id = h.snapshot_id AND o.k8s_pod_name = h.k8s_pod_name
                           AND o.k8s_namespace IS h.k8s_namespace AND o.scope = h.scope AND o.cluster IS h.cluster
                           AND o.key_ip <> h.key_ip AND h.k8s_pod_name <> ''
  UNION ALL
  SELECT 1, h.n, 3, 0, h.scope, h.cluster, 'identity', CAST(h.identity AS TEXT),
         CASE
           WHEN i.kv_id IS NOT NULL THEN
             'master key ' || (SELECT CAST(k.key AS TEXT) FROM kv k WHERE k.id = i.kv_id) || ', ' || i.label_count || ' labels'
             || CASE WHEN i.canonical THEN '' ELSE ', not in Cilium''s canonical form' END
           WHEN h.identity BETWEEN 1 AND 255 THEN
             'reserved' || coalesce(':' || CASE h.identity WHEN 1 THEN 'host' WHEN 2 THEN 'world' WHEN 3 THEN 'unmanaged'
               WHEN 4 THEN 'health' WHEN 5 THEN 'init' WHEN 6 THEN 'remote-node' WHEN 7 THEN 'kube-apiserver'
               WHEN 8 THEN 'ingress' WHEN 9 THEN 'world-ipv4' WHEN 10 THEN 'world-ipv6' END, '')
             || ' (reserved identities have no key in the kvstore)'
           WHEN h.identity >= 16777216 THEN 'node-local (CIDR or FQDN) identity: never in the kvstore'
           ELSE 'MISSING: no master key '
             || CASE h.scope WHEN 'state' THEN 'cilium/state/identities/v1/id/' ELSE 'cilium/cache/identities/v1/' || h.cluster || '/id/' END
             || h.identity
         END
  FROM hit h LEFT JOIN hit_identity i ON i.n = h.n
  UNION ALL
  SELECT 1, n, 4, pos, scope, cluster, 'label', label, '' FROM lbl WHERE label <> ''
  UNION ALL
  SELECT 1, h.n, 5, 0, d.scope, d.key_cluster, 'node', d.key_name,
         'HostIP ' || coalesce(nullif(h.host_ip, ''), '(none)')
         || CASE WHEN coalesce(h.node_name, '') NOT IN ('', d.key_name) THEN ', but Metadata names node ' || h.node_name ELSE '' END
  FROM hit h JOIN hit_node hn ON hn.n = h.n JOIN node d ON d.kv_id = hn.kv_id
  UNION ALL
  SELECT 1, h.n, 5, 0, h.scope, h.cluster, 'node', '(unknown)',
         'no node has the address ' || coalesce(nullif(h.host_ip, ''), '(no HostIP)') || coalesce(' or the name ' || nullif(h.node_name, ''), '')
  FROM hit h WHERE NOT EXISTS (SELECT 1 FROM hit_node hn WHERE hn.n = h.n)
  UNION ALL
  SELECT 1, h.n, 6, a.rowid, a.scope, a.cluster, 'node address', a.ip, a.type
  FROM hit h JOIN hit_node hn ON hn.n = h.n JOIN node_address a ON a.kv_id = hn.kv_id
  UNION ALL
  SELECT 1, h.n, 7, c.rowid, c.scope, c.cluster, 'node pod CIDR', c.cidr,
         CASE WHEN arg.b BETWEEN c.start_bin AND c.end_bin THEN 'holds ' ELSE 'does NOT hold ' END || arg.ip
         || CASE c.kind WHEN 'secondary' THEN ' (a secondary CIDR)' ELSE '' END
  FROM hit h JOIN hit_node hn ON hn.n = h.n JOIN node_cidr c ON c.kv_id = hn.kv_id JOIN arg ON c.family = arg.family
  UNION ALL
  SELECT 1, h.n, 7, 0, d.scope, d.key_cluster, 'node pod CIDR', '(none)', d.key_name || ' has no IPv' || arg.family || ' pod CIDR'
  FROM hit h JOIN hit_node hn ON hn.n = h.n JOIN node d ON d.kv_id = hn.kv_id, arg
  WHERE NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = d.kv_id AND c.family = arg.family)
  UNION ALL
  -- Not through the ipcache: nodes with this address, pod CIDRs holding it, services with it.
  SELECT 2, 0, 0, a.rowid, a.scope, a.cluster, 'address of node', a.node, a.type
  FROM arg JOIN node_address a ON a.snapshot_id = current_snapshot() AND a.ip_bin = arg.b
  UNION ALL
  SELECT 3, 0, 0, c.rowid, c.scope, c.cluster, 'pod CIDR of node', c.node,
         c.cidr || CASE c.kind WHEN 'secondary' THEN ' (secondary)' ELSE '' END || ' holds ' || arg.ip
  FROM arg JOIN node_cidr c ON c.snapshot_id = current_snapshot() AND c.start_bin <= arg.b AND c.end_bin >= arg.b
  UNION ALL
  SELECT 3, 0, 0, 0, h.scope, h.cluster, 'pod CIDR of node', '(none)', 'no node''s pod CIDR holds ' || arg.ip
  FROM arg, (SELECT * FROM hit LIMIT 1) h
  WHERE NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.snapshot_id = current_snapshot() AND c.start_bin <= arg.b AND c.end_bin >= arg.b)
  UNION ALL
  SELECT 4, 0, 0, min(f.rowid), v.scope, v.key_cluster, 'service frontend', v.key_namespace || '/' || v.key_name,
         group_concat(coalesce(f.protocol, '?') || ' ' || coalesce(f.port, '?') || CASE WHEN f.port_name <> '' THEN ' (' || f.port_name || ')' ELSE '' END, ', ')
  FROM arg JOIN service_frontend f ON f.snapshot_id = current_snapshot() AND f.ip_bin = arg.b JOIN service v ON v.kv_id = f.kv_id
  GROUP BY v.kv_id
  UNION ALL
  SELECT 5, 0, 0, min(b.rowid), v.scope, v.key_cluster, 'service backend', v.key_namespace || '/' || v.key_name,
         group_concat(coalesce(b.protocol, '?') || ' ' || coalesce(b.port, '?') || CASE WHEN b.port_name <> '' THEN ' (' || b.port_name || ')' ELSE '' END, ', ')
  FROM arg JOIN service_backend b ON b.snapshot_id = current_snapshot() AND b.ip_bin = arg.b JOIN service v ON v.kv_id = b.kv_id
  GROUP BY v.kv_id)
SELECT scope, CASE WHEN scope = 'cache' THEN coalesce(cluster, '') ELSE '' END AS cluster, fact, value, detail
FROM (
  SELECT * FROM fact
  UNION ALL
  SELECT 9, 0, 0, 0, '', '', CASE WHEN arg.b IS NULL THEN 'not an IP' ELSE 'not found' END, coalesce(arg.ip, :ip),
         CASE WHEN arg.b IS NULL THEN 'give an IPv4 or IPv6 address, e.g. -p ip=10.0.1.8'
              ELSE 'no ipcache entry, node address, pod CIDR or service has it in snapshot ' || current_snapshot() END
  FROM arg WHERE NOT EXISTS (SELECT 1 FROM fact))
ORDER BY g, n, k, sub
