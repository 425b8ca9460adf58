-- id: identity-malformed
-- severity: warning
-- title: Identity labels not in Cilium's canonical form
-- meaning: The label string of a master key does not re-serialize to the same bytes: Cilium writes labels sorted by key as source:key=value; with a ';' after every label. Agents look identities up by these exact bytes, so a differently written string is a different identity to them.
-- cause: The key was written by hand or by a tool other than Cilium.
-- action: Delete the key if no slave key uses it; otherwise re-create it in canonical form.
SELECT printf('identity %d: labels are not in canonical form (sorted by key, source:key=value;)', i.id) AS message,
       json_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', i.id, 'labels', i.labels) AS details
FROM identity i JOIN kv k ON k.id = i.kv_id
WHERE i.snapshot_id = :snapshot AND i.canonical = 0
