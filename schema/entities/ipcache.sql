-- entity: ipcache
-- description: IP cache entries by IP (or IP/len); KVStoreMesh copies as cache:<cluster>/<ip>

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before ipcache (CROSS JOIN keeps the order): ipcache is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- The label column: the pod (namespace/name), the identity and the node hosting the endpoint (from Metadata, else
-- the node whose address is the HostIP) with its host IP.
SELECT CASE WHEN p.scope = 'cache' THEN 'cache:' || p.cluster || '/' ELSE '' END || p.key_ip AS id,
       json_object('ip', p.ip, 'prefix_len', p.prefix_len, 'identity', p.identity, 'host_ip', p.host_ip,
                   'encrypt_key', p.encrypt_key, 'metadata', p.metadata, 'namespace', p.k8s_namespace,
                   'pod', p.k8s_pod_name, 'service_account', p.k8s_service_account, 'named_ports', json(ps.named_ports)) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = p.kv_id) END AS meta,
       ltrim(coalesce(', pod ' || coalesce(p.k8s_namespace || '/', '') || p.k8s_pod_name, '')
             || coalesce(', identity ' || p.identity, '')
             || coalesce(', node ' || coalesce(p.node_name,
                                              (SELECT a.node FROM node_address a
                                               WHERE a.snapshot_id = p.snapshot_id AND a.ip_bin = p.host_ip_bin AND a.scope = p.scope
                                                 AND (p.scope = 'state' OR a.cluster = p.cluster)
                                               ORDER BY a.type <> 'InternalIP', a.node LIMIT 1))
                         || coalesce(' (' || p.host_ip || ')', ''),
                         ', host ' || p.host_ip, ''), ', ') AS label
FROM json_each(:ids) d CROSS JOIN ipcache p ON p.kv_id = d.value LEFT JOIN port_set ps ON ps.id = p.port_set_id
WHERE p.snapshot_id = :snapshot
ORDER BY id
