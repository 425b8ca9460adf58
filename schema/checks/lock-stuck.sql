-- id: lock-stuck
-- severity: error
-- title: Lock unchanged since the earlier snapshot
-- meaning: A lock held in the earlier snapshot is still held in this one by the same lease, written at the same revision, while the store moved on. Allocation holds a lock for milliseconds; one that survives between two captures is stuck and blocks every allocation of those labels (cilium/cilium#9046). This is the rule cilium-operator's lock GC applies over two rounds.
-- cause: The lock's holder died or hangs while its lease is kept alive (another session of the same agent, a stuck process), or the lock was written by hand.
-- action: cilium-operator's identity lock GC deletes such locks; if it does not run (or this is a kvstore lock), delete the listed keys after checking the holder is gone.
-- requires: baseline
WITH locks AS (
  SELECT kv_id, printf('identity %s lock%s', kind,
         CASE WHEN kind = 'allocation' THEN ' on ' || labels ELSE printf(' on identity %d', identity) END) AS what
  FROM identity_lock WHERE snapshot_id = :snapshot AND scope = 'state'
  UNION ALL SELECT kv_id, kind || ' lock' FROM kvstore_lock WHERE snapshot_id = :snapshot),
revs AS (SELECT (SELECT revision FROM main.snapshot WHERE id = :snapshot) AS now_rev,
                (SELECT revision FROM old.snapshot WHERE id = :baseline) AS old_rev)
SELECT printf('%s is held by the same lease %x at the same revision %d in both snapshots (revisions %d and %d)',
              l.what, k.lease, k.mod_revision, revs.old_rev, revs.now_rev) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('lease', printf('%x', k.lease), 'mod_revision', k.mod_revision, 'baseline_revision', revs.old_rev,
                   'snapshot_revision', revs.now_rev) AS details
FROM locks l JOIN main.kv k ON k.id = l.kv_id
JOIN old.kv o ON o.snapshot_id = :baseline AND o.key_hash = k.key_hash AND o.key = k.key, revs
WHERE k.mod_revision IS NOT NULL AND o.mod_revision = k.mod_revision
  AND k.lease IS NOT NULL AND o.lease = k.lease
  AND revs.now_rev > revs.old_rev
