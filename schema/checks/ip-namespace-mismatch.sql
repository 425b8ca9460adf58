-- id: ip-namespace-mismatch
-- severity: warning
-- title: IP cache namespace differs from its identity's namespace
-- meaning: An ipcache entry's K8sNamespace is not the io.kubernetes.pod.namespace label of the identity it points at: the IP is attributed to a pod of one namespace but enforced as another's.
-- cause: A stale entry of a deleted pod whose IP was reused (cilium/cilium#16565), or an identity ID reused for other labels.
-- action: Compare with the live pod (kubectl get pod -A -o wide | grep <ip>); delete the stale entry and let the agent re-publish.
SELECT printf('%s (pod %s) is in namespace %s but identity %d is for namespace %s', p.ip, coalesce(p.k8s_pod_name, '?'),
              p.k8s_namespace, p.identity, i.namespace) AS message,
       json_array(CAST(k.key AS TEXT), CAST(ik.key AS TEXT)) AS keys,
       json_object('ip', p.ip, 'pod', p.k8s_pod_name, 'namespace', p.k8s_namespace, 'identity', p.identity,
                   'identity_namespace', i.namespace) AS details
FROM ipcache p
JOIN identity i ON i.snapshot_id = p.snapshot_id AND i.id = p.identity AND i.scope = p.scope AND i.cluster IS p.cluster
JOIN kv k ON k.id = p.kv_id JOIN kv ik ON ik.id = i.kv_id
WHERE p.snapshot_id = :snapshot AND p.k8s_namespace IS NOT NULL AND p.k8s_namespace <> ''
  AND i.namespace IS NOT NULL AND i.namespace <> p.k8s_namespace
