-- description: One node: its addresses, pod CIDRs (and who else claims them), endpoints and the identities in use there
-- param: name the node name, e.g. -p name=worker-2
WITH nd AS MATERIALIZED (
  SELECT d.*, row_number() OVER (ORDER BY d.scope DESC, d.key_cluster, d.kv_id) AS g
  FROM node d WHERE d.snapshot_id = current_snapshot() AND (d.key_name = :name OR d.name = :name)),
addr AS MATERIALIZED (SELECT nd.g, a.rowid AS pos, a.* FROM nd JOIN node_address a ON a.kv_id = nd.kv_id),
ep AS MATERIALIZED (
  -- The node's endpoints: ipcache entries whose HostIP is one of its addresses, or whose Metadata names it.
  SELECT nd.g, p.*,
         EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = nd.kv_id AND p.ip_bin BETWEEN c.start_bin AND c.end_bin) AS in_cidr
  FROM nd CROSS JOIN ipcache p ON p.snapshot_id = nd.snapshot_id AND p.scope = nd.scope AND (nd.scope = 'state' OR p.cluster = nd.key_cluster)
  WHERE p.node_name = nd.key_name
     OR (p.host_ip_bin IN (SELECT ip_bin FROM addr) AND EXISTS (SELECT 1 FROM addr a WHERE a.g = nd.g AND a.ip_bin = p.host_ip_bin))),
used AS MATERIALIZED (
  -- Identities in use on the node: its endpoints' and its slave keys' (the agent's references, by its IP).
  SELECT g, scope, cluster, id, sum(endpoints) AS endpoints, sum(slaves) AS slaves
  FROM (SELECT g, scope, cluster, identity AS id, 1 AS endpoints, 0 AS slaves FROM ep
        UNION ALL
        SELECT DISTINCT a.g, r.scope, r.cluster, r.identity, 0, 1
        FROM identity_ref r CROSS JOIN addr a ON a.ip_bin = r.node_ip_bin AND a.scope = r.scope AND (a.scope = 'state' OR r.cluster = a.cluster)
        WHERE r.snapshot_id = current_snapshot() AND r.node_ip_bin IN (SELECT ip_bin FROM addr) AND r.identity IS NOT NULL)
  GROUP BY g, scope, cluster, id),
fact(g, k, sub, scope, cluster, fact, value, detail) AS MATERIALIZED (
  SELECT nd.g, 1, 0, nd.scope, nd.key_cluster, 'node', nd.key_name,
         (SELECT CAST(k.key AS TEXT) FROM kv k WHERE k.id = nd.kv_id) || coalesce(', ClusterID ' || nd.cluster_id, '') || coalesce(', Source ' || nullif(nd.source, ''), '')
         || CASE WHEN nd.name IS NOT nd.key_name THEN ', Name ' || coalesce(nullif(nd.name, ''), '(none)') ELSE '' END
  FROM nd
  UNION ALL
  SELECT g, 2, pos, scope, cluster, 'address', ip, type FROM addr
  UNION ALL
  SELECT nd.g, 3, c.rowid, c.scope, c.cluster, 'pod CIDR', c.cidr,
         c.kind || coalesce(', also claimed by ' || (
           SELECT group_concat(o.node || ' (' || o.cidr || ')', ', ') FROM node_cidr o
           WHERE o.snapshot_id = c.snapshot_id AND o.start_bin <= c.end_bin AND o.end_bin >= c.start_bin
             AND o.kv_id <> c.kv_id AND o.scope = c.scope AND o.cluster IS c.cluster), '')
  FROM nd JOIN node_cidr c ON c.kv_id = nd.kv_id
  UNION ALL
  SELECT nd.g, 3, 0, nd.scope, nd.key_cluster, 'pod CIDR', '(none)', 'the node has no pod CIDR'
  FROM nd WHERE NOT EXISTS (SELECT 1 FROM node_cidr c WHERE c.kv_id = nd.kv_id)
  UNION ALL
  SELECT nd.g, 4, 0, nd.scope, nd.key_cluster, 'endpoints', CAST(count(ep.g) AS TEXT),
         'ipcache entries with HostIP ' || coalesce((SELECT group_concat(a.ip, ' or ') FROM addr a WHERE a.g = nd.g AND a.type = 'InternalIP'), '?')
         || ' or Metadata naming ' || nd.key_name
         || CASE WHEN count(ep.g) > 0 THEN ', ' || (count(ep.g) - sum(ep.in_cidr)) || ' outside its pod CIDRs' ELSE '' END
  FROM nd LEFT JOIN ep ON ep.g = nd.g
  WHERE nd.scope <> 'register'
  GROUP BY nd.g
  UNION ALL
  SELECT ep.g, 5, ep.ip_bin, ep.scope, ep.cluster, 'endpoint', ep.key_ip,
         CASE WHEN coalesce(ep.k8s_pod_name, '') = '' THEN 'not a pod' ELSE coalesce(ep.k8s_namespace, '') || '/' || ep.k8s_pod_name END
         || ', identity ' || ep.identity
         || CASE WHEN ep.in_cidr THEN '' ELSE ', OUTSIDE the node''s pod CIDRs' END
  FROM ep
  UNION ALL
  SELECT u.g, 6, u.id, u.scope, u.cluster, 'identity', CAST(u.id AS TEXT),
         CASE WHEN i.kv_id IS NOT NULL THEN trim(coalesce(i.namespace, '') || coalesce(' app=' || label_value(i.labels, 'app'), '')) || ': '
              WHEN u.id BETWEEN 1 AND 255 THEN 'reserved: '
              WHEN u.id >= 16777216 THEN 'node-local: '
              ELSE 'no master key: ' END
         || u.endpoints || CASE u.endpoints WHEN 1 THEN ' endpoint, ' ELSE ' endpoints, ' END
         || CASE WHEN u.slaves > 0 THEN 'slave key'
                 WHEN u.id BETWEEN 1 AND 255 OR u.id >= 16777216 THEN 'no slave key (none needed)'
                 WHEN u.scope = 'cache' THEN 'no slave key in the cache'
                 ELSE 'NO slave key from this node' END
  FROM used u LEFT JOIN identity i ON i.snapshot_id = current_snapshot() AND i.id = u.id AND i.scope = u.scope AND i.cluster IS u.cluster)
SELECT scope, CASE WHEN scope = 'cache' THEN coalesce(cluster, '') ELSE '' END AS cluster, fact, value, detail
FROM (
  SELECT * FROM fact
  UNION ALL
  SELECT 9, 0, 0, '', '', 'not found', :name, 'no node key has this name in snapshot ' || current_snapshot() || ' (kvquery -q nodes lists them)'
  WHERE NOT EXISTS (SELECT 1 FROM nd))
ORDER BY g, k, sub
