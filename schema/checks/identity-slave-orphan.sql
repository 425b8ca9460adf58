-- id: identity-slave-orphan
-- severity: error
-- title: Identity reference without its master key
-- meaning: A slave key (identities/v1/value/<labels>/<nodeIP>) names an identity whose master key (identities/v1/id/<ID>) does not exist. Agents resolving that identity from the kvstore find no labels: policy for those endpoints breaks on other nodes (cilium/cilium#5397).
-- cause: The master key was deleted (by hand, by a cluster sharing this etcd, or by a GC race) while nodes still use the identity.
-- action: Agents re-create missing master keys on their periodic sync (every 5 minutes) if they still use the identity; if the key stays missing, restart the agents on the listed nodes or re-create the key with the labels of the slave key.
SELECT printf('identity %d is used by %d node(s) but its master key is missing', r.identity, count(*)) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', r.identity, 'scope', r.scope, 'cluster', r.cluster, 'labels', r.labels,
                   'node_ips', json_group_array(r.node_ip)) AS details
FROM identity_ref r JOIN kv k ON k.id = r.kv_id
WHERE r.snapshot_id = :snapshot AND r.identity IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = r.snapshot_id AND i.id = r.identity
                  AND i.scope = r.scope AND i.cluster IS r.cluster)
GROUP BY r.scope, r.cluster, r.identity, r.labels
