-- entity: ipcache
-- description: IP cache entries by IP (or IP/len); KVStoreMesh copies as cache:<cluster>/<ip>
-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
SELECT CASE WHEN p.scope = 'cache' THEN 'cache:' || p.cluster || '/' ELSE '' END || p.key_ip AS id,
       json_object('ip', p.ip, 'prefix_len', p.prefix_len, 'identity', p.identity, 'host_ip', p.host_ip,
                   'encrypt_key', p.encrypt_key, 'metadata', p.metadata, 'namespace', p.k8s_namespace,
                   'pod', p.k8s_pod_name, 'service_account', p.k8s_service_account, 'named_ports', json(p.named_ports)) AS fields,
       json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision, 'version', k.version, 'lease', k.lease) AS meta
FROM json_each(:ids) d JOIN kv k ON k.id = d.value JOIN ipcache p ON p.kv_id = k.id
WHERE p.snapshot_id = :snapshot
ORDER BY id
