-- id: service-key-mismatch
-- severity: error
-- title: Service key and value disagree
-- meaning: The key cilium/state/services/v1/<cluster>/<namespace>/<name> does not match the cluster, namespace and name inside the value, or the value's clusterID is not its cluster's. Cilium 1.16+ rejects such services.
-- cause: The entry was written by hand, or the cluster was renamed or re-numbered without restarting the writer.
-- action: Delete the entry; cilium-operator or the clustermesh-apiserver writes a correct one.
SELECT CASE WHEN coalesce(s.cluster, '') <> s.key_cluster OR coalesce(s.namespace, '') <> s.key_namespace OR coalesce(s.name, '') <> s.key_name
            THEN printf('key names %s/%s/%s, value names %s/%s/%s', s.key_cluster, s.key_namespace, s.key_name,
                        coalesce(s.cluster, ''), coalesce(s.namespace, ''), coalesce(s.name, ''))
            ELSE printf('service %s/%s has clusterID %d, cluster %s has %d', s.key_namespace, s.key_name, s.cluster_id, s.key_cluster, :cluster_id) END AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('cluster', s.cluster, 'namespace', s.namespace, 'name', s.name, 'cluster_id', s.cluster_id) AS details
FROM service s JOIN kv k ON k.id = s.kv_id
WHERE s.snapshot_id = :snapshot
  AND (coalesce(s.cluster, '') <> s.key_cluster OR coalesce(s.namespace, '') <> s.key_namespace OR coalesce(s.name, '') <> s.key_name
       OR (s.scope = 'state' AND s.key_cluster = :cluster_name AND s.cluster_id IS NOT NULL AND s.cluster_id <> 0
           AND s.cluster_id <> :cluster_id))
