-- id: identity-duplicate-labels
-- severity: error
-- title: One label set has several identities
-- meaning: One label string is given more than one ID: by two or more master keys, or by slave keys carrying different IDs. The finding names every master and slave key of that label string. Endpoints with identical labels get different identities on different nodes, so policy treats them differently (cilium/cilium#25251, PR #43287).
-- cause: A race in allocation (observed in the wild in kvstore mode), or a restored/merged kvstore.
-- action: Cilium 1.19+ garbage-collects the duplicate that no slave key uses; on older versions delete the master key whose ID no slave key carries, after checking no endpoint still uses it.
WITH candidate(scope, cluster, labels) AS MATERIALIZED (
  -- A label set with two IDs has two master keys (found in the labels index), or a slave key whose
  -- ID has no master key with that label set: only these label sets are gathered and counted.
  SELECT scope, cluster, labels FROM identity WHERE snapshot_id = :snapshot
  GROUP BY scope, cluster, labels HAVING count(DISTINCT id) > 1
  UNION
  SELECT r.scope, r.cluster, r.labels FROM identity_ref r
  WHERE r.snapshot_id = :snapshot AND r.identity IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = :snapshot AND i.id = r.identity AND i.scope = r.scope
                    AND i.cluster IS r.cluster AND +i.labels = r.labels)),  -- (+: looked up by ID, not by label string)
uses AS MATERIALIZED (  -- every key that gives a candidate label set an ID: master keys and slave keys
  SELECT i.scope, i.cluster, i.labels, i.id AS identity, i.kv_id FROM candidate c
  JOIN identity i ON i.snapshot_id = :snapshot AND i.labels = c.labels AND i.scope = c.scope AND i.cluster IS c.cluster
  UNION ALL
  SELECT r.scope, r.cluster, r.labels, r.identity, r.kv_id FROM identity_ref r
  WHERE r.snapshot_id = :snapshot AND r.identity IS NOT NULL
    AND EXISTS (SELECT 1 FROM candidate c WHERE c.labels = r.labels AND c.scope = r.scope AND c.cluster IS r.cluster)),
dup AS (
  SELECT scope, cluster, labels FROM uses GROUP BY scope, cluster, labels HAVING count(DISTINCT identity) > 1)
SELECT printf('label set is allocated as %d identities: %s (%d master key(s), %d slave key(s))',
              count(DISTINCT u.identity),
              (SELECT group_concat(identity, ', ') FROM (SELECT DISTINCT v.identity FROM uses v
               WHERE v.scope = d.scope AND v.cluster IS d.cluster AND v.labels = d.labels ORDER BY v.identity)),
              count(i.kv_id), count(*) - count(i.kv_id)) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('labels', d.labels, 'scope', d.scope, 'cluster', d.cluster,
                   'identities', (SELECT json_group_array(identity) FROM (SELECT DISTINCT v.identity FROM uses v
                     WHERE v.scope = d.scope AND v.cluster IS d.cluster AND v.labels = d.labels ORDER BY v.identity))) AS details
FROM dup d
JOIN uses u ON u.scope = d.scope AND u.cluster IS d.cluster AND u.labels = d.labels
JOIN kv k ON k.id = u.kv_id
LEFT JOIN identity i ON i.kv_id = u.kv_id
GROUP BY d.scope, d.cluster, d.labels
