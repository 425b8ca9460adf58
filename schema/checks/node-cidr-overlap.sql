-- id: node-cidr-overlap
-- severity: error
-- title: Pod CIDRs of two nodes overlap
-- meaning: Two nodes claim overlapping pod CIDRs (IPv4 or IPv6, primary or secondary, including one inside the other): traffic for the shared addresses is routed to one of them only (cilium/cilium#17277, #22770, #20204).
-- cause: Duplicate allocation in cluster-pool IPAM (e.g. after an operator restart with a changed pool), a stale node entry of a deleted node whose CIDR was given to a new node, or manual podCIDR assignment.
-- action: Find which node really owns the range (kubectl get ciliumnode -o wide); delete the stale node entry or re-assign the CIDR and restart that node's agent.
WITH c AS (
  SELECT nc.*, CAST(k.key AS TEXT) AS node_key
  FROM node_cidr nc JOIN kv k ON k.id = nc.kv_id
  WHERE nc.snapshot_id = :snapshot AND nc.scope = 'state'),
-- Sorted by range start, a range overlaps an earlier one exactly when it starts at or before the
-- largest end seen so far: one pass, no pairwise comparison. The running maximum carries its
-- owner after the 16-byte end.
w AS (
  SELECT c.*, max(c.end_bin || CAST(c.cidr || ' ' || c.node_key AS BLOB)) OVER (
           PARTITION BY c.family ORDER BY c.start_bin, c.end_bin DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
  FROM c)
SELECT printf('%s (%s) of node %s overlaps %s of node %s', w.cidr, w.kind, w.node,
              substr(CAST(substr(w.prev, 17) AS TEXT), 1, instr(CAST(substr(w.prev, 17) AS TEXT), ' ') - 1),
              replace(substr(CAST(substr(w.prev, 17) AS TEXT), instr(CAST(substr(w.prev, 17) AS TEXT), ' ') + 1),
                      'cilium/state/nodes/v1/', '')) AS message,
       json_array(w.node_key, substr(CAST(substr(w.prev, 17) AS TEXT), instr(CAST(substr(w.prev, 17) AS TEXT), ' ') + 1)) AS keys,
       json_object('cidr', w.cidr, 'kind', w.kind, 'family', w.family, 'node', w.node,
                   'other_cidr', substr(CAST(substr(w.prev, 17) AS TEXT), 1, instr(CAST(substr(w.prev, 17) AS TEXT), ' ') - 1)) AS details
FROM w
WHERE w.prev IS NOT NULL AND substr(w.prev, 1, 16) >= w.start_bin
  AND substr(CAST(substr(w.prev, 17) AS TEXT), instr(CAST(substr(w.prev, 17) AS TEXT), ' ') + 1) <> w.node_key
