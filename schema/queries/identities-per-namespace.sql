-- description: Identities per Kubernetes namespace in the current snapshot, with their ID range and how many nodes use them
WITH used AS MATERIALIZED (
  -- Which node uses an identity of which namespace: one pass over the identity references.
  SELECT DISTINCT r.node_ip, i.namespace
  FROM identity_ref r JOIN identity i ON i.snapshot_id = r.snapshot_id AND i.id = r.identity AND i.scope = 'state'
  WHERE r.snapshot_id = current_snapshot() AND r.scope = 'state'),
nodes AS MATERIALIZED (SELECT namespace, count(*) AS nodes_using FROM used GROUP BY namespace),
ids AS MATERIALIZED (
  SELECT namespace, count(*) AS identities, min(id) AS lowest_id, max(id) AS highest_id
  FROM identity WHERE snapshot_id = current_snapshot() AND scope = 'state' GROUP BY namespace)
SELECT coalesce(ids.namespace, '(none)') AS namespace, ids.identities, ids.lowest_id, ids.highest_id,
       coalesce(nodes.nodes_using, 0) AS nodes_using
FROM ids LEFT JOIN nodes ON nodes.namespace IS ids.namespace
ORDER BY ids.identities DESC, namespace
