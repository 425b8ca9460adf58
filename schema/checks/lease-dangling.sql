-- id: lease-dangling
-- severity: info
-- title: Leases no key is attached to
-- meaning: The lease table holds leases that no key uses. Harmless in small numbers (a client between writes); many mean clients grant leases they never use or never revoke.
-- cause: Agents restarting often (each start grants new session leases), or leases whose keys were deleted by hand.
-- action: Nothing to do when few; otherwise look for crash-looping agents. They expire after their TTL unless kept alive.
-- requires: leases
SELECT printf('lease %s (TTL %d s) has no key attached', l.id_hex, l.ttl) AS message,
       json_array() AS keys,
       json_object('lease', l.id_hex, 'ttl', l.ttl) AS details
FROM lease l
WHERE l.snapshot_id = :snapshot
  AND NOT EXISTS (SELECT 1 FROM kv k WHERE k.snapshot_id = l.snapshot_id AND k.lease = l.id)
