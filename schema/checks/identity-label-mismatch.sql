-- id: identity-label-mismatch
-- severity: error
-- title: Identity reference and master key disagree on the labels
-- meaning: A slave key says identity N belongs to label set L, but the master key of N holds other labels. Nodes disagree on what identity N means.
-- cause: A master key was deleted and its ID reused for other labels while old slave keys survived, or keys were edited by hand.
-- action: Delete the stale slave keys listed (the agents that still use the labels will allocate again), or restart the agents on those nodes.
SELECT printf('slave key of node %s maps labels to identity %d, whose master key holds other labels', r.node_ip, r.identity) AS message,
       json_array(CAST(k.key AS TEXT), CAST(mk.key AS TEXT)) AS keys,
       json_object('identity', r.identity, 'slave_labels', (SELECT ls.labels FROM label_set ls WHERE ls.id = r.label_set_id),
                   'master_labels', i.labels, 'node_ip', r.node_ip) AS details
FROM identity_ref r
JOIN identity i ON i.snapshot_id = r.snapshot_id AND i.id = r.identity AND i.scope = r.scope AND i.cluster IS r.cluster
JOIN kv k ON k.id = r.kv_id
JOIN kv mk ON mk.id = i.kv_id
WHERE r.snapshot_id = :snapshot AND i.label_set_id <> r.label_set_id  -- other bytes, other label_set row
