-- id: identity-duplicate-labels
-- severity: error
-- title: One label set has several identities
-- meaning: Two or more master keys hold the same label string, or the slave keys of one label string carry different IDs. Endpoints with identical labels get different identities on different nodes, so policy treats them differently (cilium/cilium#25251, PR #43287).
-- cause: A race in allocation (observed in the wild in kvstore mode), or a restored/merged kvstore.
-- action: Cilium 1.19+ garbage-collects the duplicate that no slave key uses; on older versions delete the master key whose ID no slave key carries, after checking no endpoint still uses it.
SELECT printf('label set is allocated as %d identities: %s', count(*), group_concat(i.id, ', ')) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('labels', i.labels, 'scope', i.scope, 'cluster', i.cluster, 'identities', json_group_array(i.id)) AS details
FROM identity i JOIN kv k ON k.id = i.kv_id
WHERE i.snapshot_id = :snapshot
GROUP BY i.scope, i.cluster, i.labels HAVING count(*) > 1
UNION ALL
SELECT printf('slave keys of one label set carry %d different identities: %s', count(DISTINCT r.identity), group_concat(DISTINCT r.identity)),
       json_group_array(CAST(k.key AS TEXT)),
       json_object('labels', r.labels, 'scope', r.scope, 'cluster', r.cluster)
FROM identity_ref r JOIN kv k ON k.id = r.kv_id
WHERE r.snapshot_id = :snapshot AND r.identity IS NOT NULL
GROUP BY r.scope, r.cluster, r.labels HAVING count(DISTINCT r.identity) > 1
