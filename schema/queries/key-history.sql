-- description: Every revision of one key an etcd snapshot file holds (puts and deletes), oldest first
-- param: key the etcd key, e.g. -p key=cilium/state/nodes/v1/default/worker-1
SELECT h.main_revision AS revision, h.sub_revision AS sub, CASE WHEN h.tombstone THEN 'delete' ELSE 'put' END AS op,
       h.create_revision, h.version, printf('%x', h.lease) AS lease, length(h.value) AS bytes, CAST(h.value AS TEXT) AS value
FROM kv_history h
WHERE h.snapshot_id = current_snapshot() AND h.key_hash = key_hash(CAST(:key AS BLOB)) AND h.key = CAST(:key AS BLOB)
ORDER BY h.main_revision, h.sub_revision
