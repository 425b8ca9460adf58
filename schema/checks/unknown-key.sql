-- id: unknown-key
-- severity: warning
-- title: Keys under cilium/ that Cilium does not write
-- meaning: Keys under cilium/ that match none of the key layouts of the Cilium versions kvsnap supports (kvimport --list-layouts). They may come from a newer or much older Cilium, a manual write, or another tool sharing the prefix.
-- cause: A version of Cilium newer than kvsnap knows, or leftovers of manual debugging.
-- action: Check which component wrote them (their lease tells whose session); delete leftovers.
SELECT printf('%d key(s) under %s match no Cilium layout', count(*),
              CASE WHEN instr(substr(u.key, 8), '/') > 0 THEN substr(u.key, 1, 7 + instr(substr(u.key, 8), '/')) ELSE u.key END) AS message,
       json_group_array(u.key) AS keys,
       json_object('keys', count(*)) AS details
FROM unknown_key u
WHERE u.snapshot_id = :snapshot
GROUP BY CASE WHEN instr(substr(u.key, 8), '/') > 0 THEN substr(u.key, 1, 7 + instr(substr(u.key, 8), '/')) ELSE u.key END
