-- id: identity-malformed
-- severity: warning
-- title: Identity labels not in Cilium's canonical form
-- meaning: A label string in a master key's value, a slave key (identities/v1/value/<labels>/<node>) or an allocation lock (identities/v1/locks/<labels>/<lease>) does not re-serialize to the same bytes: Cilium writes labels sorted by key as source:key=value; with a ';' after every label. Agents look identities up by these exact bytes, so a differently written string is a different identity to them.
-- cause: The keys were written by hand or by a tool other than Cilium.
-- action: Delete the listed keys if no endpoint uses the identity; otherwise re-create them in canonical form.
WITH bad(labels, kind, identity, kv_id) AS (
  SELECT labels, 'master', id, kv_id FROM identity WHERE snapshot_id = :snapshot AND canonical = 0
  -- Slave keys: each distinct label string is parsed once (label_set), not once per node's key.
  UNION ALL SELECT ls.labels, 'slave', r.identity, r.kv_id FROM identity_ref r JOIN label_set ls ON ls.id = r.label_set_id
    WHERE r.snapshot_id = :snapshot
      AND r.label_set_id IN (SELECT id FROM label_set WHERE snapshot_id = :snapshot AND labels_canonical(labels) = 0)
  UNION ALL SELECT labels, 'lock', NULL, kv_id FROM identity_lock
    WHERE snapshot_id = :snapshot AND kind = 'allocation' AND labels_canonical(labels) = 0)
SELECT CASE WHEN max(b.kind = 'master') THEN printf('identity %d: labels are not in canonical form (sorted by key, source:key=value;)',
                                                     max(CASE WHEN b.kind = 'master' THEN b.identity END))
            ELSE printf('labels %s are not in canonical form (sorted by key, source:key=value;)', b.labels) END
       || CASE WHEN sum(b.kind <> 'master') > 0
               THEN printf(': %d slave key(s), %d lock(s)', sum(b.kind = 'slave'), sum(b.kind = 'lock')) ELSE '' END AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('identity', max(b.identity), 'labels', b.labels, 'master_keys', sum(b.kind = 'master'),
                   'slave_keys', sum(b.kind = 'slave'), 'locks', sum(b.kind = 'lock')) AS details
FROM bad b JOIN kv k ON k.id = b.kv_id
GROUP BY b.labels
