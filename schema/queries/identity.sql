-- description: One identity: its master keys and labels, slave keys, endpoints and the nodes using it
-- param: id the numeric identity, e.g. -p id=11648
WITH m AS MATERIALIZED (
  SELECT i.*, row_number() OVER (ORDER BY i.scope DESC, i.cluster) AS g
  FROM identity i WHERE i.snapshot_id = current_snapshot() AND i.id = :id),
lbl(g, scope, cluster, pos, label, rest) AS (
  -- The labels as stored (source:key=value), split at ';' as Cilium splits them.
  SELECT g, scope, cluster, 0, NULL, labels FROM m
  UNION ALL
  SELECT g, scope, cluster, pos + 1,
         CASE WHEN instr(rest, ';') > 0 THEN substr(rest, 1, instr(rest, ';') - 1) ELSE rest END,
         CASE WHEN instr(rest, ';') > 0 THEN substr(rest, instr(rest, ';') + 1) ELSE '' END
  FROM lbl WHERE rest <> ''),
ref AS MATERIALIZED (
  -- Slave keys (one per node using the identity), with the node that has the key's IP.
  SELECT r.scope, r.cluster, r.label_set_id, (SELECT ls.labels FROM label_set ls WHERE ls.id = r.label_set_id) AS labels,
         r.node_ip, r.kv_id,
         (SELECT group_concat(DISTINCT a.node) FROM node_address a
          WHERE a.snapshot_id = r.snapshot_id AND a.ip_bin = r.node_ip_bin AND a.scope = r.scope
            AND (r.scope = 'state' OR a.cluster = r.cluster)) AS node
  FROM identity_ref r WHERE r.snapshot_id = current_snapshot() AND r.identity = :id),
ep AS MATERIALIZED (
  -- Endpoints (ipcache entries) with the identity, with the node their HostIP belongs to.
  SELECT p.scope, p.cluster, p.key_ip, p.ip_bin, p.k8s_namespace, p.k8s_pod_name,
         coalesce((SELECT a.node FROM node_address a
                   WHERE a.snapshot_id = p.snapshot_id AND a.ip_bin = p.host_ip_bin AND a.scope = p.scope
                     AND (p.scope = 'state' OR a.cluster = p.cluster)
                   ORDER BY a.type <> 'InternalIP', a.rowid LIMIT 1),
                  nullif(p.node_name, ''), '(unknown node ' || coalesce(nullif(p.host_ip, ''), '?') || ')') AS node
  FROM ipcache p WHERE p.snapshot_id = current_snapshot() AND p.identity = :id),
used AS MATERIALIZED (
  SELECT scope, cluster, node, sum(slave) AS slaves, sum(endpoint) AS endpoints
  FROM (SELECT scope, cluster, coalesce(node, 'IP ' || node_ip) AS node, 1 AS slave, 0 AS endpoint FROM ref
        UNION ALL
        SELECT scope, cluster, node, 0, 1 FROM ep)
  GROUP BY scope, cluster, node),
fact(g, sub, scope, cluster, fact, value, detail) AS MATERIALIZED (
  SELECT 1, printf('%03d 1', m.g), m.scope, m.cluster, 'master key', (SELECT CAST(k.key AS TEXT) FROM kv k WHERE k.id = m.kv_id),
         coalesce('namespace ' || m.namespace, 'no namespace label') || ', ' || m.label_count || ' labels'
         || CASE WHEN m.canonical THEN '' ELSE ', not in Cilium''s canonical form' END
  FROM m
  UNION ALL
  SELECT 1, printf('%03d 2 %06d', g, pos), scope, cluster, 'label', label, '' FROM lbl WHERE label <> ''
  UNION ALL
  SELECT 1, printf('%03d 3 %012d', m.g, o.id), o.scope, o.cluster, 'same labels as', CAST(o.id AS TEXT),
         'another master key with these labels: agents may use either'
  FROM m CROSS JOIN identity o ON o.snapshot_id = m.snapshot_id AND o.label_set_id = m.label_set_id AND o.id <> m.id
                        AND o.scope = m.scope AND o.cluster IS m.cluster
  UNION ALL
  SELECT 1, '', '', '', 'master key', '(none)',
         CASE
           WHEN CAST(:id AS INTEGER) BETWEEN 1 AND 255 THEN
             'reserved' || coalesce(':' || CASE CAST(:id AS INTEGER) WHEN 1 THEN 'host' WHEN 2 THEN 'world' WHEN 3 THEN 'unmanaged'
               WHEN 4 THEN 'health' WHEN 5 THEN 'init' WHEN 6 THEN 'remote-node' WHEN 7 THEN 'kube-apiserver'
               WHEN 8 THEN 'ingress' WHEN 9 THEN 'world-ipv4' WHEN 10 THEN 'world-ipv6' END, '')
             || ' identity: reserved identities have no key in the kvstore'
           WHEN CAST(:id AS INTEGER) >= 16777216 THEN 'node-local (CIDR or FQDN) identity: never in the kvstore'
           ELSE 'MISSING: no master key cilium/state/identities/v1/id/' || :id || ' (nor a KVStoreMesh copy)'
         END
  WHERE NOT EXISTS (SELECT 1 FROM m) AND (EXISTS (SELECT 1 FROM ref) OR EXISTS (SELECT 1 FROM ep))
  UNION ALL
  SELECT 2, (r.scope <> 'state') || ' ' || coalesce(r.cluster, '') || ' ' || coalesce(r.node, '') || ' ' || r.node_ip, r.scope, r.cluster,
         'slave key', coalesce(r.node, '(no node has IP ' || r.node_ip || ')'),
         'node IP ' || r.node_ip
         || CASE WHEN EXISTS (SELECT 1 FROM m WHERE m.scope = r.scope AND m.cluster IS r.cluster AND m.label_set_id <> r.label_set_id)
                 THEN ', for OTHER labels than the master key''s: ' || r.labels ELSE '' END
  FROM ref r
  UNION ALL
  SELECT 3, (ep.scope <> 'state') || ' ' || coalesce(ep.cluster, '') || ' ' || hex(ep.ip_bin), ep.scope, ep.cluster, 'endpoint', ep.key_ip,
         CASE WHEN coalesce(ep.k8s_pod_name, '') = '' THEN 'not a pod, on ' ELSE coalesce(ep.k8s_namespace, '') || '/' || ep.k8s_pod_name || ' on ' END || ep.node
  FROM ep
  UNION ALL
  SELECT 4, (scope <> 'state') || ' ' || coalesce(cluster, '') || ' ' || node, scope, cluster, 'node', node,
         CASE WHEN slaves > 0 THEN 'slave key'
              WHEN CAST(:id AS INTEGER) BETWEEN 1 AND 255 OR CAST(:id AS INTEGER) >= 16777216 THEN 'no slave key (none needed)'
              WHEN scope = 'cache' THEN 'no slave key in the cache'
              ELSE 'NO slave key' END || ', '
         || CASE endpoints WHEN 0 THEN 'no endpoint' WHEN 1 THEN '1 endpoint' ELSE endpoints || ' endpoints' END
  FROM used)
SELECT scope, CASE WHEN scope = 'cache' THEN coalesce(cluster, '') ELSE '' END AS cluster, fact, value, detail
FROM (
  SELECT * FROM fact
  UNION ALL
  SELECT 0, '', '', '', 'not found', CAST(:id AS TEXT),
         'no master key, slave key or ipcache entry has identity ' || :id || ' in snapshot ' || current_snapshot()
  WHERE NOT EXISTS (SELECT 1 FROM fact))
ORDER BY g, sub
