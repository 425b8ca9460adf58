-- id: lock-stale
-- severity: error
-- title: Lock that will not go away by itself
-- meaning: A kvstore lock (identity allocation or GC lock, init lock, KVStoreMesh lock) has no lease, is attached to another lease than the one its key names, or (etcd snapshot files) its lease no longer exists. Such locks never expire and block every agent allocating identities for those labels (cilium/cilium#9046, #9855).
-- cause: A lock written by hand or restored without its lease, or a client that died holding it while its lease was kept alive.
-- action: cilium-operator's lock GC removes locks it sees unchanged for two rounds; if it does not run, delete the listed keys.
-- requires: lease-info
WITH locks AS (
  SELECT kv_id, lease_hex, key_lease, 'identity ' || kind || ' lock' AS what FROM identity_lock WHERE snapshot_id = :snapshot
  UNION ALL SELECT kv_id, lease_hex, key_lease, kind || ' lock' FROM kvstore_lock WHERE snapshot_id = :snapshot)
SELECT CASE WHEN k.lease = 0 THEN printf('%s has no lease: it never expires', l.what)
            WHEN l.key_lease IS NULL OR k.lease <> l.key_lease THEN printf('%s names lease %s but is attached to lease %x', l.what, l.lease_hex, k.lease)
            ELSE printf('%s is attached to lease %s, which no longer exists', l.what, l.lease_hex) END AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('lease_in_key', l.lease_hex, 'lease', k.lease) AS details
FROM locks l JOIN kv k ON k.id = l.kv_id
WHERE k.lease IS NOT NULL
  AND (k.lease = 0 OR l.key_lease IS NULL OR k.lease <> l.key_lease
       OR ((SELECT trailer FROM snapshot WHERE id = :snapshot) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM lease x WHERE x.snapshot_id = :snapshot AND x.id = k.lease)))
