-- id: identity-slave-unknown-node
-- severity: warning
-- title: Identity references from a node that does not exist
-- meaning: Slave keys end in the IP of the node that uses the identity; no node entry has that IP. They are expected for a while after a node goes away (until its lease expires, 15 minutes or more).
-- cause: A node was removed and its agent's lease has not expired, or the agent's lease never expires (lease kept alive by something else).
-- action: If the node is gone for good and the keys persist past the lease TTL, revoke the lease of those keys or delete them.
SELECT printf('%d identity reference(s) from node IP %s, which is no node''s address', count(*), r.node_ip) AS message,
       json_group_array(CAST(k.key AS TEXT)) AS keys,
       json_object('node_ip', r.node_ip, 'references', count(*)) AS details
FROM identity_ref r JOIN kv k ON k.id = r.kv_id
WHERE r.snapshot_id = :snapshot AND r.scope = 'state'
  AND EXISTS (SELECT 1 FROM node WHERE snapshot_id = :snapshot AND scope = 'state')
  -- a list of the few node addresses, built once, rather than a probe of node_address per key
  AND (r.node_ip_bin IS NULL  -- not an IP: no node's address either
       OR r.node_ip_bin NOT IN (SELECT a.ip_bin FROM node_address a WHERE a.snapshot_id = :snapshot AND a.scope = 'state'
                                AND a.ip_bin IS NOT NULL))
GROUP BY r.node_ip
