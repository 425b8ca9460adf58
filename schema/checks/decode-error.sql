-- id: decode-error
-- severity: error
-- title: Key that does not decode as its layout
-- meaning: A key matches one of Cilium's layouts, but its key or value does not have the shape Cilium writes (not JSON, a non-numeric ID, an invalid IP or mask, ...). Agents reading it log errors and skip it.
-- cause: The key was written by hand or by another tool, or the value was damaged.
-- action: Look at the value (kvquery "SELECT * FROM kv_text WHERE key = '...'") and delete or fix the key.
SELECT printf('%s: %s', e.layout, e.error) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('layout', e.layout, 'error', e.error) AS details
FROM decode_error e JOIN kv k ON k.id = e.kv_id
WHERE e.snapshot_id = :snapshot
