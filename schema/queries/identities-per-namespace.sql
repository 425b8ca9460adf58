-- description: Identities per Kubernetes namespace in the current snapshot, with their ID range and how many nodes use them
SELECT coalesce(i.namespace, '(none)') AS namespace, count(*) AS identities, min(i.id) AS lowest_id, max(i.id) AS highest_id,
       (SELECT count(DISTINCT r.node_ip) FROM identity_ref r JOIN identity j ON j.snapshot_id = r.snapshot_id AND j.id = r.identity
        WHERE r.snapshot_id = current_snapshot() AND r.scope = 'state' AND j.scope = 'state' AND j.namespace IS i.namespace) AS nodes_using
FROM identity i
WHERE i.snapshot_id = current_snapshot() AND i.scope = 'state'
GROUP BY i.namespace ORDER BY identities DESC, namespace
