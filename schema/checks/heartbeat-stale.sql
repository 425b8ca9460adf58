-- id: heartbeat-stale
-- severity: error
-- title: kvstore heartbeat is stale
-- meaning: cilium/.heartbeat is rewritten every minute by cilium-operator (or the clustermesh-apiserver); agents fail their quorum check when it is older than 2 minutes (cilium/cilium#12904). The age is taken against the reference time the report names; when that is only a lower bound (the newest time the data holds), the age is at least the one shown.
-- cause: cilium-operator is not running or cannot write to etcd, or the snapshot was taken long after it was written.
-- action: Check that cilium-operator runs (in kvstore mode) and can reach etcd; if the bundle is old, pass --now with its capture time.
-- requires: now
SELECT printf('heartbeat is %s%s old (written %s)', CASE WHEN :now_is_lower_bound THEN 'at least ' ELSE '' END,
              CASE WHEN :now - h.unix_time >= 86400 THEN printf('%.1f days', (:now - h.unix_time) / 86400.0)
                   WHEN :now - h.unix_time >= 3600 THEN printf('%.1f hours', (:now - h.unix_time) / 3600.0)
                   ELSE printf('%d minutes', (:now - h.unix_time) / 60) END, h.value) AS message,
       CASE WHEN :now - h.unix_time > 900 THEN 'error' ELSE 'warning' END AS severity,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('heartbeat', h.value, 'reference_time', rfc3339(:now), 'reference_time_is_lower_bound', json(CASE WHEN :now_is_lower_bound THEN 'true' ELSE 'false' END), 'age_seconds', :now - h.unix_time) AS details
FROM heartbeat h JOIN kv k ON k.id = h.kv_id
WHERE h.snapshot_id = :snapshot AND :now - h.unix_time > 120
