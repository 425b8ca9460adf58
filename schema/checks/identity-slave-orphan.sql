-- id: identity-slave-orphan
-- severity: error
-- title: Identity reference without its master key
-- meaning: A slave key (identities/v1/value/<labels>/<nodeIP>) names an identity whose master key (identities/v1/id/<ID>) does not exist. Agents resolving that identity from the kvstore find no labels: policy for those endpoints breaks on other nodes (cilium/cilium#5397).
-- cause: The master key was deleted (by hand, by a cluster sharing this etcd, or by a GC race) while nodes still use the identity.
-- action: Agents re-create missing master keys on their periodic sync (every 5 minutes) if they still use the identity; if the key stays missing, restart the agents on the listed nodes or re-create the key with the labels of the slave key.
WITH used AS MATERIALIZED (  -- the scopes and clusters slave keys are in
  SELECT DISTINCT scope, coalesce(cluster, '') AS cluster FROM identity_ref WHERE snapshot_id = :snapshot),
-- An identity with a master key in every scope and cluster of the slave keys cannot be orphaned:
-- only the slave keys of the other identities (found in the identity_ref index alone) are read.
suspect(identity) AS MATERIALIZED (
  SELECT v.identity FROM (SELECT DISTINCT identity FROM identity_ref WHERE snapshot_id = :snapshot AND identity IS NOT NULL) v
  WHERE (SELECT count(DISTINCT i.scope || '/' || coalesce(i.cluster, '')) FROM identity i
         WHERE i.snapshot_id = :snapshot AND i.id = v.identity) < (SELECT count(*) FROM used))
SELECT printf('identity %d is used by %d node(s) but its master key is missing', r.identity, count(*)) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', r.identity, 'scope', r.scope, 'cluster', r.cluster,
                   'labels', (SELECT ls.labels FROM label_set ls WHERE ls.id = r.label_set_id),
                   'node_ips', json_group_array(r.node_ip)) AS details
FROM suspect s
JOIN identity_ref r ON r.snapshot_id = :snapshot AND r.identity = s.identity
JOIN kv k ON k.id = r.kv_id
WHERE NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = r.snapshot_id AND i.id = r.identity
                  AND i.scope = r.scope AND i.cluster IS r.cluster)
GROUP BY r.scope, r.cluster, r.identity, r.label_set_id
