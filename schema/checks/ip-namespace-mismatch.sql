-- id: ip-namespace-mismatch
-- severity: warning
-- title: IP cache namespace differs from its identity's namespace
-- meaning: An ipcache entry's K8sNamespace is not the io.kubernetes.pod.namespace label of the identity it points at: the IP is attributed to a pod of one namespace but enforced as another's.
-- cause: A stale entry of a deleted pod whose IP was reused (cilium/cilium#16565), or an identity ID reused for other labels.
-- action: Compare with the live pod (kubectl get pod -A -o wide | grep <ip>); delete the stale entry and let the agent re-publish.
WITH bad AS MATERIALIZED (
  -- The namespaces each identity is used in (the ipcache_identity index alone), against the
  -- identity's: only the entries of a pair that differs are read.
  SELECT u.identity, u.scope, u.cluster, u.k8s_namespace, i.namespace, i.kv_id
  FROM (SELECT DISTINCT identity, scope, cluster, k8s_namespace FROM ipcache
        WHERE snapshot_id = :snapshot AND k8s_namespace IS NOT NULL AND k8s_namespace <> '') u
  JOIN identity i ON i.snapshot_id = :snapshot AND i.id = u.identity AND i.scope = u.scope AND i.cluster IS u.cluster
  WHERE i.namespace IS NOT NULL AND i.namespace <> u.k8s_namespace)
SELECT printf('%s (pod %s) is in namespace %s but identity %d is for namespace %s', p.ip, coalesce(p.k8s_pod_name, '?'),
              p.k8s_namespace, p.identity, b.namespace) AS message,
       json_array(CAST(k.key AS TEXT), CAST(ik.key AS TEXT)) AS keys,
       json_object('ip', p.ip, 'pod', p.k8s_pod_name, 'namespace', p.k8s_namespace, 'identity', p.identity,
                   'identity_namespace', b.namespace) AS details
FROM bad b
JOIN ipcache p ON p.snapshot_id = :snapshot AND p.identity = b.identity AND p.scope = b.scope AND p.cluster IS b.cluster
  AND p.k8s_namespace = b.k8s_namespace
JOIN kv k ON k.id = p.kv_id JOIN kv ik ON ik.id = b.kv_id
