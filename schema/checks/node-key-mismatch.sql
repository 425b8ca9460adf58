-- id: node-key-mismatch
-- severity: error
-- title: Node key and value name different nodes
-- meaning: The key cilium/state/nodes/v1/<cluster>/<name> does not match the Cluster and Name inside the value (or they are empty, which Cilium 1.16+ rejects).
-- cause: The entry was written by hand or by a tool other than Cilium, or the cluster was renamed.
-- action: Delete the entry; the node's agent (or the operator/clustermesh-apiserver) writes a correct one.
SELECT printf('key names %s/%s, value names %s/%s', coalesce(n.key_cluster, ''), n.key_name, coalesce(n.cluster, ''), coalesce(n.name, '')) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('key_cluster', n.key_cluster, 'key_name', n.key_name, 'cluster', n.cluster, 'name', n.name) AS details
FROM node n JOIN kv k ON k.id = n.kv_id
WHERE n.snapshot_id = :snapshot
  AND (coalesce(n.name, '') <> n.key_name OR (n.scope <> 'register' AND coalesce(n.cluster, '') <> coalesce(n.key_cluster, '')))
