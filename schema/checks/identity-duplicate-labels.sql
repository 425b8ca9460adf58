-- id: identity-duplicate-labels
-- severity: error
-- title: One label set has several identities
-- meaning: One label string is given more than one ID: by two or more master keys, or by slave keys carrying different IDs. The finding names every master and slave key of that label string. Endpoints with identical labels get different identities on different nodes, so policy treats them differently (cilium/cilium#25251, PR #43287).
-- cause: A race in allocation (observed in the wild in kvstore mode), or a restored/merged kvstore.
-- action: Cilium 1.19+ garbage-collects the duplicate that no slave key uses; on older versions delete the master key whose ID no slave key carries, after checking no endpoint still uses it.
WITH candidate(scope, cluster, label_set_id) AS MATERIALIZED (
  -- A label set with two IDs has two master keys (found in the label_set_id index), or a slave key
  -- whose ID has no master key with that label set: only these label sets are gathered and counted.
  -- Label sets are compared by label_set_id (one per distinct label string of the snapshot).
  SELECT scope, cluster, label_set_id FROM identity WHERE snapshot_id = :snapshot
  GROUP BY scope, cluster, label_set_id HAVING count(DISTINCT id) > 1
  UNION
  SELECT r.scope, r.cluster, r.label_set_id FROM identity_ref r
  WHERE r.snapshot_id = :snapshot AND r.identity IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = :snapshot AND i.id = r.identity AND i.scope = r.scope
                    AND i.cluster IS r.cluster AND +i.label_set_id = r.label_set_id)),  -- (+: looked up by ID, not by label set)
uses AS MATERIALIZED (  -- every key that gives a candidate label set an ID: master keys and slave keys
  SELECT i.scope, i.cluster, i.label_set_id, i.id AS identity, i.kv_id FROM candidate c
  JOIN identity i ON i.snapshot_id = :snapshot AND i.label_set_id = c.label_set_id AND i.scope = c.scope AND i.cluster IS c.cluster
  UNION ALL
  SELECT r.scope, r.cluster, r.label_set_id, r.identity, r.kv_id FROM identity_ref r
  WHERE EXISTS (SELECT 1 FROM candidate)  -- once: without a candidate (a healthy cluster) no slave key is read
    AND r.snapshot_id = :snapshot AND r.identity IS NOT NULL
    AND EXISTS (SELECT 1 FROM candidate c WHERE c.label_set_id = r.label_set_id AND c.scope = r.scope AND c.cluster IS r.cluster)),
dup AS (
  SELECT scope, cluster, label_set_id FROM uses GROUP BY scope, cluster, label_set_id HAVING count(DISTINCT identity) > 1)
SELECT printf('label set is allocated as %d identities: %s (%d master key(s), %d slave key(s))',
              count(DISTINCT u.identity),
              (SELECT group_concat(identity, ', ') FROM (SELECT DISTINCT v.identity FROM uses v
               WHERE v.scope = d.scope AND v.cluster IS d.cluster AND v.label_set_id = d.label_set_id ORDER BY v.identity)),
              count(i.kv_id), count(*) - count(i.kv_id)) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('labels', (SELECT ls.labels FROM label_set ls WHERE ls.id = d.label_set_id), 'scope', d.scope, 'cluster', d.cluster,
                   'identities', (SELECT json_group_array(identity) FROM (SELECT DISTINCT v.identity FROM uses v
                     WHERE v.scope = d.scope AND v.cluster IS d.cluster AND v.label_set_id = d.label_set_id ORDER BY v.identity))) AS details
FROM dup d
JOIN uses u ON u.scope = d.scope AND u.cluster IS d.cluster AND u.label_set_id = d.label_set_id
JOIN kv k ON k.id = u.kv_id
LEFT JOIN identity i ON i.kv_id = u.kv_id
GROUP BY d.scope, d.cluster, d.label_set_id
