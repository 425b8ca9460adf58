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
-- largest end seen so far: one pass, no pairwise comparison. The running maximum is kept as
-- "<end in hex> <cidr> <key>" (fixed-width upper-case hex sorts like the 16-byte end), so it
-- also names the range that reaches furthest.
w AS (
  SELECT c.*, max(hex(c.end_bin) || ' ' || c.cidr || ' ' || c.node_key) OVER (
           PARTITION BY c.family ORDER BY c.start_bin, c.end_bin DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
  FROM c),
o AS (
  SELECT w.*, substr(w.prev, 34, instr(substr(w.prev, 34), ' ') - 1) AS other_cidr,
         substr(w.prev, 34 + instr(substr(w.prev, 34), ' ')) AS other_key
  FROM w WHERE w.prev IS NOT NULL AND substr(w.prev, 1, 32) >= hex(w.start_bin))
SELECT printf('%s (%s) of node %s overlaps %s of node %s', o.cidr, o.kind, coalesce(o.cluster, '') || '/' || o.node, o.other_cidr,
              replace(o.other_key, 'cilium/state/nodes/v1/', '')) AS message,
       json_array(o.node_key, o.other_key) AS keys,
       json_object('cidr', o.cidr, 'kind', o.kind, 'family', o.family, 'node', o.node, 'other_cidr', o.other_cidr) AS details
FROM o
WHERE o.other_key <> o.node_key
