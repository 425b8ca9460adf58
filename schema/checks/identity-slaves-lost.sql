-- id: identity-slaves-lost
-- severity: warning
-- title: Identity that lost every node's reference since the earlier snapshot
-- meaning: The master key of an identity had slave keys (nodes using it) in the earlier snapshot and has none now, but is still there. cilium-operator's identity GC deletes a master key once no node references it for a GC interval (15 minutes by default); one that stays leaks an identity number and its policy state.
-- cause: Identity GC is not running (cilium-operator down, or --identity-gc-interval very long), or the snapshots are less than a GC interval apart.
-- action: If the snapshots are more than a GC interval apart, check cilium-operator's identity GC; a master key no node uses can be deleted.
-- requires: baseline
WITH lost AS (
  SELECT o.identity, count(*) AS refs, json_group_array(CAST(ok.key AS TEXT)) AS old_keys
  FROM old.identity_ref o JOIN old.kv ok ON ok.id = o.kv_id
  WHERE o.snapshot_id = :baseline AND o.scope = 'state' AND o.identity IS NOT NULL
  GROUP BY o.identity)
SELECT printf('identity %d had %d node reference(s) in the earlier snapshot and has none now, but its master key remains',
              i.id, l.refs) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', i.id, 'labels', i.labels, 'lost_references', json(l.old_keys)) AS details
FROM lost l
JOIN identity i ON i.snapshot_id = :snapshot AND i.scope = 'state' AND i.id = l.identity
JOIN main.kv k ON k.id = i.kv_id
WHERE NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.snapshot_id = :snapshot AND r.scope = 'state' AND r.identity = i.id)
