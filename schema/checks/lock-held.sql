-- id: lock-held
-- severity: info
-- title: Lock held at capture time
-- meaning: An identity allocation lock, identity GC lock or kvstore lock existed when the snapshot was taken. Allocation holds its lock for milliseconds, so one seen in a single snapshot is usually caught in passing; one that stays blocks every allocation of those labels (cilium/cilium#9046). A second snapshot tells the two apart: kvcheck --baseline OLD reports a lock unchanged in both as lock-stuck.
-- cause: An allocation, identity GC or agent start in progress, or a lock whose holder is stuck while its lease is kept alive.
-- action: Take a second snapshot a few minutes later and run kvcheck --baseline FIRST on it (or kvdiff FIRST SECOND): a lock still there with the same revision and lease is stuck.
WITH locks AS (
  SELECT kv_id, key_lease, printf('identity %s lock%s', kind,
         CASE WHEN kind = 'allocation' THEN ' on ' || labels ELSE printf(' on identity %d', identity) END) AS what
  FROM identity_lock WHERE snapshot_id = :snapshot AND scope = 'state'
  UNION ALL SELECT kv_id, key_lease, kind || ' lock' FROM kvstore_lock WHERE snapshot_id = :snapshot),
snap AS (SELECT revision FROM snapshot WHERE id = :snapshot)
SELECT printf('%s held by lease %x%s%s', l.what, coalesce(k.lease, l.key_lease),
              coalesce(' of node ' || (SELECT n.key_name FROM node n JOIN kv nk ON nk.id = n.kv_id
                                       WHERE n.snapshot_id = :snapshot AND n.scope = 'state' AND nk.lease = k.lease
                                         AND k.lease <> 0 ORDER BY n.key_name LIMIT 1), ''),
              CASE WHEN k.create_revision IS NULL THEN ''
                   ELSE printf(' since revision %d%s', k.create_revision,
                               CASE WHEN snap.revision IS NULL THEN ''
                                    ELSE printf(', %d revisions before the snapshot', snap.revision - k.create_revision) END) END) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('lease', printf('%x', coalesce(k.lease, l.key_lease)), 'create_revision', k.create_revision,
                   'mod_revision', k.mod_revision, 'snapshot_revision', snap.revision) AS details
FROM locks l JOIN kv k ON k.id = l.kv_id, snap
-- Locks lock-stale reports (no lease, another lease than the key names) are not repeated here.
WHERE coalesce(k.lease, l.key_lease) IS NOT NULL AND coalesce(k.lease, l.key_lease) <> 0
  AND (k.lease IS NULL OR l.key_lease IS NULL OR k.lease = l.key_lease)
