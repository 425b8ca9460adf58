-- description: Endpoints per node (ipcache entries by the node hosting them), with the node's pod CIDRs
SELECT coalesce(a.node, '(unknown node ' || p.host_ip || ')') AS node, p.host_ip,
       count(*) AS endpoints, count(DISTINCT nullif(p.k8s_namespace, '')) AS namespaces,
       (SELECT group_concat(c.cidr, ' ') FROM node_cidr c WHERE c.kv_id = a.kv_id) AS pod_cidrs
FROM ipcache p
LEFT JOIN node_address a ON a.snapshot_id = p.snapshot_id AND a.scope = 'state' AND a.ip_bin = p.host_ip_bin AND a.type = 'InternalIP'
WHERE p.snapshot_id = current_snapshot() AND p.scope = 'state'
GROUP BY p.host_ip_bin ORDER BY endpoints DESC, node
