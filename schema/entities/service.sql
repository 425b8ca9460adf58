-- entity: service
-- description: clustermesh services by cluster, namespace and name, with frontends and backends

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before service (CROSS JOIN keeps the order): service is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- A backend or frontend is one string built with || (not format(), which would end it at a NUL byte
-- that a JSON string may hold: two backends differing after it would compare equal).
-- The label column: the frontends (IP:port/protocol and the port's name) and how many backends.
SELECT CASE WHEN s.scope = 'cache' THEN 'cache:' ELSE '' END || s.key_cluster || '/' || s.key_namespace || '/' || s.key_name AS id,
       json_object('cluster_id', s.cluster_id, 'include_external', s.include_external, 'shared', s.shared,
                   'frontends', (SELECT json_group_array(x) FROM (SELECT f.ip || ' ' || f.port_name || ' ' || coalesce(f.protocol, '') || '/' || coalesce(f.port, '') AS x
                                                              FROM service_frontend f WHERE f.kv_id = s.kv_id ORDER BY x)),
                   'backends', (SELECT json_group_array(x) FROM (SELECT b.ip || ' ' || b.port_name || ' ' || coalesce(b.protocol, '') || '/' || coalesce(b.port, '')
                                                                  || coalesce(' ' || b.hostname, '') || coalesce(' zone=' || b.zone, '') AS x
                                                             FROM service_backend b WHERE b.kv_id = s.kv_id ORDER BY x)),
                   'labels', json(s.labels), 'selector', json(s.selector)) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = s.kv_id) END AS meta,
       ltrim(coalesce(', frontends ' || (SELECT group_concat(x, ' ') FROM (SELECT f.ip || coalesce(':' || f.port, '') || coalesce('/' || f.protocol, '')
                                                                                  || CASE WHEN f.port_name <> '' THEN ' (' || f.port_name || ')' ELSE '' END AS x
                                                                           FROM service_frontend f WHERE f.kv_id = s.kv_id ORDER BY f.ip_bin, f.port, x)), '')
             || ', ' || (SELECT count(*) FROM service_backend b WHERE b.kv_id = s.kv_id) || ' backend(s)', ', ') AS label
FROM json_each(:ids) d CROSS JOIN service s ON s.kv_id = d.value
WHERE s.snapshot_id = :snapshot
ORDER BY id
