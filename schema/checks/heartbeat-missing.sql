-- id: heartbeat-missing
-- severity: warning
-- title: No kvstore heartbeat
-- meaning: There is no cilium/.heartbeat key although Cilium state is present. Since 1.8.2 agents fail their kvstore quorum check without it (cilium/cilium#12904).
-- cause: cilium-operator is not running in kvstore mode, or the dump covers only part of the kvstore (a narrower --prefix).
-- action: Check that cilium-operator runs with the kvstore configured; if the dump was taken with a narrower prefix, ignore this.
SELECT 'no cilium/.heartbeat key, but Cilium state is present' AS message,
       json_array() AS keys,
       json_object('state_keys', (SELECT count(*) FROM kv WHERE snapshot_id = :snapshot AND layout_id IN (SELECT id FROM key_layout WHERE name IN ('node', 'identity-master', 'ipcache')))) AS details
WHERE EXISTS (SELECT 1 FROM kv WHERE snapshot_id = :snapshot AND layout_id IN (SELECT id FROM key_layout WHERE name IN ('node', 'identity-master', 'ipcache')))
  AND NOT EXISTS (SELECT 1 FROM heartbeat WHERE snapshot_id = :snapshot)
