-- id: ip-identity-deleted
-- severity: error
-- title: IP cache entries pointing at an identity deleted since the earlier snapshot
-- meaning: The identity existed (its master key) in the earlier snapshot and is gone now, while IP cache entries still map IPs to it. Agents resolving those IPs find no labels: traffic from them is policed as an unknown identity (dropped by most policies). Identity GC should only delete identities no endpoint uses.
-- cause: The master key was deleted while endpoints still used the identity: a GC race, a manual deletion, or another cluster sharing this etcd prefix.
-- action: Restart the agents hosting the listed IPs (they allocate the identity again), or re-create the master key with the labels it had (in the details).
-- requires: baseline
WITH deleted AS MATERIALIZED (  -- master keys of the earlier snapshot that are gone: few
  SELECT oi.id, oi.labels, oi.kv_id FROM old.identity oi
  WHERE oi.snapshot_id = :baseline AND oi.scope = 'state'
    AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.snapshot_id = :snapshot AND i.id = oi.id AND i.scope = 'state'))
SELECT printf('identity %d, deleted since the earlier snapshot, is still used by %d IP cache entr%s', p.identity, count(*),
              CASE WHEN count(*) = 1 THEN 'y' ELSE 'ies' END) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', p.identity, 'labels', d.labels, 'deleted_master_key', CAST(ok.key AS TEXT),
                   'ips', json_group_array(p.ip)) AS details
FROM deleted d
JOIN ipcache p ON p.snapshot_id = :snapshot AND p.identity = d.id AND p.scope = 'state'
JOIN main.kv k ON k.id = p.kv_id
JOIN old.kv ok ON ok.id = d.kv_id
GROUP BY p.identity
