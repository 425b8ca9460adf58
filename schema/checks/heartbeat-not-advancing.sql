-- id: heartbeat-not-advancing
-- severity: error
-- title: Heartbeat unchanged since the earlier snapshot
-- meaning: cilium/.heartbeat is rewritten every minute by cilium-operator (or the clustermesh-apiserver), but it is the same write in both snapshots although their reference times (each taken as kvcheck takes it: a stated capture time, else the newest time the data holds, such as sync canaries agents rewrote) are at least 2 minutes apart. Agents fail their quorum check when the heartbeat is older than 2 minutes (cilium/cilium#12904).
-- cause: cilium-operator is not running, not in kvstore mode, or cannot write to etcd.
-- action: Check that cilium-operator runs and can reach etcd (its logs, kvstore connectivity); compare the capture times of the two snapshots.
-- requires: baseline
WITH revs AS (SELECT (SELECT revision FROM main.snapshot WHERE id = :snapshot) AS now_rev,
                     (SELECT revision FROM old.snapshot WHERE id = :baseline) AS old_rev)
SELECT printf('the heartbeat (%s, revision %d) did not change between snapshots whose reference times are %d minutes apart (%d revisions were written)%s',
              h.value, k.mod_revision, (:now - :baseline_now) / 60, revs.now_rev - revs.old_rev,
              CASE WHEN :now IS NOT NULL AND :now - h.unix_time > 120
                   THEN printf('; it is %s%d minutes old', CASE WHEN :now_is_lower_bound THEN 'at least ' ELSE '' END,
                               (:now - h.unix_time) / 60) ELSE '' END) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('heartbeat', h.value, 'mod_revision', k.mod_revision, 'baseline_revision', revs.old_rev,
                   'snapshot_revision', revs.now_rev) AS details
FROM heartbeat h JOIN main.kv k ON k.id = h.kv_id
JOIN old.kv o ON o.snapshot_id = :baseline AND o.key_hash = k.key_hash AND o.key = k.key, revs
WHERE h.snapshot_id = :snapshot AND k.mod_revision IS NOT NULL AND o.mod_revision = k.mod_revision
  AND o.value = k.value AND revs.now_rev > revs.old_rev
  AND :now IS NOT NULL AND :baseline_now IS NOT NULL AND :now - :baseline_now >= 120
