-- entity: node
-- description: nodes by cluster and name, with their addresses and pod CIDRs; cache:<cluster>/<node>, register:<node>

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before node (CROSS JOIN keeps the order): node is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- The label column: the node's addresses (those of IPAddresses, not the health and ingress IPs) and pod CIDRs.
SELECT CASE WHEN n.scope = 'state' THEN '' ELSE n.scope || ':' END || coalesce(n.key_cluster || '/', '') || n.key_name AS id,
       json_object('name', n.name, 'cluster', n.cluster, 'cluster_id', n.cluster_id, 'source', n.source,
                   'addresses', (SELECT json_group_array(x) FROM (SELECT a.type || ' ' || a.ip AS x FROM node_address a WHERE a.kv_id = n.kv_id ORDER BY x)),
                   'pod_cidrs', (SELECT json_group_array(x) FROM (SELECT c.cidr || CASE WHEN c.kind = 'secondary' THEN ' (secondary)' ELSE '' END AS x
                                                              FROM node_cidr c WHERE c.kv_id = n.kv_id ORDER BY c.family, c.kind, c.cidr)),
                   'encryption_key', n.encryption_key, 'node_identity', n.node_identity,
                   'wireguard_pub_key', n.wireguard_pub_key, 'boot_id', n.boot_id,
                   'labels', json(n.labels), 'annotations', json(n.annotations)) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = n.kv_id) END AS meta,
       ltrim(coalesce(', ' || (SELECT group_concat(x, ', ') FROM (SELECT a.type || ' ' || a.ip AS x FROM node_address a
                                                                   WHERE a.kv_id = n.kv_id AND a.type NOT IN ('HealthIP', 'IngressIP')
                                                                   ORDER BY a.type, a.ip)), '')
             || coalesce(', pod CIDRs ' || (SELECT group_concat(x, ' ') FROM (SELECT c.cidr AS x FROM node_cidr c WHERE c.kv_id = n.kv_id
                                                                              ORDER BY c.family, c.kind, c.cidr)), ''), ', ') AS label
FROM json_each(:ids) d CROSS JOIN node n ON n.kv_id = d.value
WHERE n.snapshot_id = :snapshot
ORDER BY id
