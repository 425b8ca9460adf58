-- description: The endpoints (ipcache entries) of one identity, with their pods and nodes
-- param: identity the numeric identity, e.g. -p identity=12928
SELECT p.ip, p.k8s_namespace AS namespace, p.k8s_pod_name AS pod, p.host_ip, p.node_name, p.scope, p.cluster
FROM ipcache p
WHERE p.snapshot_id = current_snapshot() AND p.identity = :identity
ORDER BY p.ip
