-- id: lease-missing
-- severity: warning
-- title: Keys attached to a lease that does not exist
-- meaning: Keys carry a lease ID that is not in the snapshot's lease table. etcd cannot attach them on restore ('failed to attach a lease'), so they never expire; agents still using that lease fail with 'requested lease not found' (cilium/cilium#42596).
-- cause: A snapshot taken while the lease was being revoked, or a damaged or edited db.
-- action: After restoring this snapshot, restart the agents that own the keys (they re-create them on fresh leases) or delete the keys.
-- requires: leases
SELECT printf('%d key(s) are attached to lease %x, which is not in the lease table', count(*), k.lease) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('lease', printf('%x', k.lease), 'keys', count(*)) AS details
FROM kv k
WHERE k.snapshot_id = :snapshot AND k.lease <> 0
  AND NOT EXISTS (SELECT 1 FROM lease l WHERE l.snapshot_id = k.snapshot_id AND l.id = k.lease)
GROUP BY k.lease
