-- id: service-backend-unknown
-- severity: warning
-- title: Service backends that are no known endpoint
-- meaning: A clustermesh service of the local cluster lists a backend IP that has no ipcache entry: remote clusters send traffic to an address no agent announces.
-- cause: The backend pod went away and the operator/clustermesh-apiserver has not updated the service yet, or the endpoint's ipcache entry is missing.
-- action: Compare with kubectl get endpointslices; if the service is stale, restart the writer (cilium-operator with --synchronize-k8s-services, or the clustermesh-apiserver).
SELECT printf('service %s/%s: %d backend IP(s) have no ipcache entry: %s', s.key_namespace, s.key_name,
              count(DISTINCT b.ip), group_concat(DISTINCT b.ip)) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('service', s.key_namespace || '/' || s.key_name, 'backends', json_group_array(DISTINCT b.ip)) AS details
FROM service s JOIN service_backend b ON b.kv_id = s.kv_id JOIN kv k ON k.id = s.kv_id
WHERE s.snapshot_id = :snapshot AND s.scope = 'state' AND s.key_cluster = :cluster_name
  AND EXISTS (SELECT 1 FROM ipcache WHERE snapshot_id = :snapshot AND scope = 'state')
  AND NOT EXISTS (SELECT 1 FROM ipcache p WHERE p.snapshot_id = s.snapshot_id AND p.scope = 'state' AND p.ip_bin = b.ip_bin)
GROUP BY s.kv_id
