-- id: identity-slaves-lost
-- severity: warning
-- title: Identity that lost every node's reference since the earlier snapshot
-- meaning: The master key of an identity had slave keys (nodes using it) in the earlier snapshot and has none now, but is still there. cilium-operator's identity GC deletes a master key once no node references it for a GC interval (15 minutes by default); one that stays leaks an identity number and its policy state.
-- cause: Identity GC is not running (cilium-operator down, or --identity-gc-interval very long), or the snapshots are less than a GC interval apart.
-- action: If the snapshots are more than a GC interval apart, check cilium-operator's identity GC; a master key no node uses can be deleted.
-- requires: baseline
WITH gone AS MATERIALIZED (  -- master keys without a node's reference now that had some before: few
  SELECT i.id, i.labels, i.kv_id FROM identity i
  WHERE i.snapshot_id = :snapshot AND i.scope = 'state'
    AND NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.snapshot_id = :snapshot AND r.identity = i.id AND r.scope = 'state')
    AND EXISTS (SELECT 1 FROM old.identity_ref o WHERE o.snapshot_id = :baseline AND o.identity = i.id AND o.scope = 'state'))
SELECT printf('identity %d had %d node reference(s) in the earlier snapshot and has none now, but its master key remains',
              g.id, count(*)) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', g.id, 'labels', g.labels, 'lost_references', json_group_array(CAST(ok.key AS TEXT))) AS details
FROM gone g
JOIN old.identity_ref o ON o.snapshot_id = :baseline AND o.identity = g.id AND o.scope = 'state'
JOIN old.kv ok ON ok.id = o.kv_id
JOIN main.kv k ON k.id = g.kv_id
GROUP BY g.id
