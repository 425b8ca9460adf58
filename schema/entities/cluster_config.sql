-- entity: cluster_config
-- description: cluster configs (cilium/cluster-config/<cluster>) by cluster name

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before cluster_config (CROSS JOIN keeps the order): cluster_config is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- The label column: the cluster ID, and whether it is a KVStoreMesh copy.
SELECT c.cluster AS id,
       json_object('id', c.id, 'synced_canaries', c.synced_canaries, 'cached', c.cached,
                   'max_connected_clusters', c.max_connected_clusters, 'service_exports_enabled', c.service_exports_enabled) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = c.kv_id) END AS meta,
       'cluster ID ' || coalesce(c.id, '?') || coalesce(' of ' || c.max_connected_clusters, '')
       || CASE WHEN c.cached THEN ', KVStoreMesh copy' ELSE '' END AS label
FROM json_each(:ids) d CROSS JOIN cluster_config c ON c.kv_id = d.value
WHERE c.snapshot_id = :snapshot
ORDER BY id
