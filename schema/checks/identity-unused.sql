-- id: identity-unused
-- severity: warning
-- title: Identity master key that no node uses
-- meaning: A master key has no slave key with its ID: no node uses the identity. The operator deletes such keys only after two GC rounds (about 30 minutes by default), so a young one is normal; many of them mean identities are leaking (cilium/cilium#35451).
-- cause: Endpoints went away and the operator's identity GC has not run yet, is not running (no operator in kvstore mode), or is blocked.
-- action: If the count keeps growing across snapshots, check that cilium-operator runs with kvstore identity GC enabled and look at its logs. Etcds written by the clustermesh-apiserver hold master keys without slave keys by design; this check stays silent on them.
SELECT printf('identity %d has no slave key: no node uses it', i.id) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', i.id, 'labels', i.labels, 'namespace', i.namespace, 'mod_revision', k.mod_revision) AS details
FROM identity i JOIN kv k ON k.id = i.kv_id
WHERE i.snapshot_id = :snapshot AND i.scope = 'state'
  AND EXISTS (SELECT 1 FROM identity_ref x WHERE x.snapshot_id = :snapshot AND x.scope = 'state')
  AND NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.snapshot_id = i.snapshot_id AND r.scope = 'state'
                  AND r.identity = i.id AND r.label_set_id = i.label_set_id)
