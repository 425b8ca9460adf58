-- description: The endpoint IPs of one pod (name as in K8sPodName; any namespace), with identity and node
-- param: pod the pod name, e.g. -p pod=nginx-6799fc88d8-x7k2p
SELECT p.ip, p.k8s_namespace AS namespace, p.k8s_pod_name AS pod, p.identity, i.labels, p.host_ip, p.node_name, p.endpoint_id
FROM ipcache p
LEFT JOIN identity i ON i.snapshot_id = p.snapshot_id AND i.id = p.identity AND i.scope = p.scope AND i.cluster IS p.cluster
WHERE p.snapshot_id = current_snapshot() AND p.k8s_pod_name = :pod
ORDER BY p.ip
