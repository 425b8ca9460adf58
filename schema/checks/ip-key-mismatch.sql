-- id: ip-key-mismatch
-- severity: error
-- title: IP cache key and value name different IPs
-- meaning: The key of an ipcache entry ends in an IP (or IP/len) different from the IP (and mask) of its value, or the value has no IP (Cilium then compares the key with "<nil>"). Cilium 1.16+ rejects such entries.
-- cause: The entry was written by hand or by a tool other than Cilium.
-- action: Delete the entry; the agent owning the endpoint re-publishes a correct one.
SELECT CASE WHEN p.ip IS NULL THEN printf('key says %s, value has no IP', p.key_ip)
            ELSE printf('key says %s, value says %s', p.key_ip, p.ip || CASE WHEN p.prefix_len IS NULL THEN '' ELSE '/' || p.prefix_len END)
       END AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('key_ip', p.key_ip, 'ip', p.ip, 'prefix_len', p.prefix_len) AS details
FROM ipcache p JOIN kv k ON k.id = p.kv_id
WHERE p.snapshot_id = :snapshot
  AND (p.ip IS NULL OR p.key_ip <> p.ip || CASE WHEN p.prefix_len IS NULL THEN '' ELSE '/' || p.prefix_len END)
