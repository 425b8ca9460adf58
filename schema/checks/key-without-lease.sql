-- id: key-without-lease
-- severity: warning
-- title: Keys Cilium always writes with a lease have none
-- meaning: Slave keys, ipcache entries, heartbeats, sync canaries, cluster configs and locks are always written with a lease, so they disappear when their writer dies. These have none and will stay forever.
-- cause: Keys written by hand, or a kvstore restored in a way that dropped leases.
-- action: Delete them once their writer re-created them with a lease (or if the writer is gone).
-- requires: lease-info
SELECT printf('%d %s key(s) have no lease and will never expire', count(*), l.name) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('layout', l.name, 'keys', count(*)) AS details
FROM key_layout l JOIN kv k ON k.snapshot_id = :snapshot AND k.layout_id = l.id AND k.lease = 0
WHERE l.name IN ('identity-slave', 'ipcache', 'heartbeat', 'sync-marker', 'cluster-config', 'identity-lock',
                 'identity-gc-lock', 'init-lock', 'kvstoremesh-lock')
  AND NOT EXISTS (SELECT 1 FROM decode_error e WHERE e.kv_id = k.id)
GROUP BY l.name
