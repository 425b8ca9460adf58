-- id: identity-cluster-label-mismatch
-- severity: warning
-- title: Identity labelled with another cluster's name
-- meaning: The io.cilium.k8s.policy.cluster label of an identity names a different cluster than the one owning it. Cilium 1.16+ rejects remote identities failing this check; policies selecting by cluster do not match.
-- cause: Another cluster writes into this etcd, the cluster was renamed, or a KVStoreMesh cache holds another cluster's data under the wrong name.
-- action: Check cluster-name in the cilium-config of every cluster using this etcd (or pass --cluster-name if the snapshot names the cluster wrongly).
SELECT printf('identity %d is labelled for cluster %s, expected %s', i.id, i.cluster_label,
              CASE WHEN i.scope = 'cache' THEN i.cluster ELSE :cluster_name END) AS message,
       (SELECT json_group_array(CAST(k.key AS TEXT)) FROM identity_key ik JOIN kv k ON k.id = ik.kv_id
        WHERE ik.snapshot_id = i.snapshot_id AND ik.scope = i.scope AND ik.cluster IS i.cluster
          AND ik.identity = i.id) AS keys,
       json_object('identity', i.id, 'cluster_label', i.cluster_label, 'scope', i.scope,
                   'expected', CASE WHEN i.scope = 'cache' THEN i.cluster ELSE :cluster_name END) AS details
FROM identity i
WHERE i.snapshot_id = :snapshot AND i.cluster_label IS NOT NULL
  AND i.cluster_label <> CASE WHEN i.scope = 'cache' THEN i.cluster ELSE :cluster_name END
