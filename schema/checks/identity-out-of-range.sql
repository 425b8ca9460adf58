-- id: identity-out-of-range
-- severity: error
-- title: Identity outside the cluster's identity range
-- meaning: A master key's ID is below 256 (reserved, never allocated through the kvstore), at or above 2^24 (local scopes, never in etcd), or outside the range of the cluster that owns it (cluster ID c: c<<16 .. (c+1)<<16-1 with 255 connected clusters, c<<15 with 511; cluster 0: 256..65535).
-- cause: Another cluster writes into this etcd (its identities are in its own range: cilium/cilium#16805), the cluster ID or max-connected-clusters changed, or keys were written by hand.
-- action: Check --cluster-id and --max-connected-clusters against the cilium-config of every cluster using this etcd; identities of another cluster sharing the etcd are reported as warnings.
SELECT CASE WHEN i.id < 256 THEN printf('identity %d is reserved (below 256) and is never allocated through the kvstore', i.id)
            WHEN i.id >= 16777216 THEN printf('identity %d is a local-scope identity (2^24 and above), never stored in etcd', i.id)
            ELSE printf('identity %d belongs to cluster ID %d, not to %s (ID %d, range %d..%d)', i.id,
                        identity_cluster(i.id, :shift), :cluster_name, :cluster_id, :id_min, :id_max) END AS message,
       CASE WHEN i.id < 256 OR i.id >= 16777216 THEN 'error' ELSE 'warning' END AS severity,
       (SELECT json_group_array(CAST(k.key AS TEXT)) FROM identity_key ik JOIN kv k ON k.id = ik.kv_id
        WHERE ik.snapshot_id = i.snapshot_id AND ik.scope = i.scope AND ik.cluster IS i.cluster AND ik.identity = i.id) AS keys,
       json_object('identity', i.id, 'cluster_of_id', identity_cluster(i.id, :shift), 'range_min', :id_min, 'range_max', :id_max) AS details
FROM identity i
WHERE i.snapshot_id = :snapshot AND i.scope = 'state'
  AND (i.id < 256 OR i.id >= 16777216 OR i.id NOT BETWEEN :id_min AND :id_max)
UNION ALL
SELECT printf('cached identity %d of cluster %s is outside that cluster''s range (ID %d)', i.id, i.cluster, cc.id),
       'error', (SELECT json_group_array(CAST(k.key AS TEXT)) FROM identity_key ik JOIN kv k ON k.id = ik.kv_id
        WHERE ik.snapshot_id = i.snapshot_id AND ik.scope = i.scope AND ik.cluster IS i.cluster AND ik.identity = i.id),
       json_object('identity', i.id, 'cluster', i.cluster, 'cluster_id', cc.id)
FROM identity i
JOIN cluster_config cc ON cc.snapshot_id = i.snapshot_id AND cc.cluster = i.cluster
WHERE i.snapshot_id = :snapshot AND i.scope = 'cache'
  AND i.id NOT BETWEEN (CASE WHEN cc.id = 0 THEN 256 ELSE cc.id << :shift END) AND ((cc.id + 1) << :shift) - 1
