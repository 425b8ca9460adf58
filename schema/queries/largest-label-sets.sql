-- description: The identities with the most labels (large label sets make policy computation and identity churn costly)
SELECT i.id, i.label_count, i.namespace,
       (SELECT count(*) FROM identity_ref r WHERE r.snapshot_id = i.snapshot_id AND r.scope = i.scope AND r.identity = i.id) AS nodes_using,
       length(i.labels) AS bytes, i.labels
FROM identity i
WHERE i.snapshot_id = current_snapshot()
ORDER BY i.label_count DESC, length(i.labels) DESC, i.id
LIMIT 20
