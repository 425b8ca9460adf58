#!/usr/bin/env bash
# Every input kind of the bundled real-etcd cluster (fixtures/cluster, made by scripts/make-fixtures)
# imports to the same keys and values as its etcdctl -w json dump, with the metadata each carries.
source "$(dirname "$0")/lib.bash"
db=$TMP/k.db
C=$FIX/cluster
for f in get-json.txt get-simple.txt get-hex.txt get-fields.txt get-protobuf.bin cilium-json.json cilium-text.txt; do
  expect_status 0 kvimport -d "$db" "$C/$f"
done
expect_status 0 kvimport -d "$db" -n sysdump-zip "$C/cilium-sysdump-20250310-081500.zip"
expect_in "$TMP/out" "(sysdump)"
expect_in "$TMP/out" "cilium cluster  default (id 0)"
expect_status 0 kvimport -d "$db" -n sysdump-dir "$C/sysdump"

expect_eq "$(q "$db" "SELECT name || ' ' || format || ' ' || key_count FROM snapshot ORDER BY id")" "$(cat <<'T'
get-json.txt etcd-json 155
get-simple.txt etcd-simple 155
get-hex.txt etcd-hex 155
get-fields.txt etcd-fields 155
get-protobuf.bin etcd-protobuf 155
cilium-json.json cilium-json 155
cilium-text.txt cilium-text 155
sysdump-zip sysdump 154
sysdump-dir sysdump 154
T
)"

# Keys and values byte for byte: nothing differs from the json dump in either direction
# (the sysdump lacks only what cilium sysdump does not collect: the cilium/synced/ canary).
for id in 2 3 4 5 6 7 8 9; do
  missing=$(q "$db" "SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = 1 EXCEPT SELECT key, value FROM kv WHERE snapshot_id = $id)")
  extra=$(q "$db" "SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = $id EXCEPT SELECT key, value FROM kv WHERE snapshot_id = 1)")
  expect_eq "$extra" 0 "snapshot $id has keys or values the json dump does not"
  case $id in
    8 | 9) expect_eq "$missing" 1 "sysdump snapshot $id lacks more than the synced canary" ;;
    *) expect_eq "$missing" 0 "snapshot $id lacks keys or values of the json dump" ;;
  esac
done
expect_eq "$(q "$db" "SELECT CAST(key AS TEXT) FROM kv WHERE snapshot_id = 1 AND key NOT IN (SELECT key FROM kv WHERE snapshot_id = 8)")" \
  "cilium/synced/default/cilium/state/services/v1"

# Metadata where the format carries it: all four revisions/lease fields for json, fields and
# protobuf; ModRevision and LeaseID for cilium json; nothing for simple, hex and text.
for id in 4 5; do
  expect_eq "$(q "$db" "SELECT count(*) FROM kv a JOIN kv b ON b.key = a.key AND b.snapshot_id = $id WHERE a.snapshot_id = 1
    AND a.create_revision IS b.create_revision AND a.mod_revision IS b.mod_revision AND a.version IS b.version AND a.lease IS b.lease")" 155
done
expect_eq "$(q "$db" "SELECT count(*) FROM kv a JOIN kv b ON b.key = a.key AND b.snapshot_id = 6 WHERE a.snapshot_id = 1
  AND a.mod_revision = b.mod_revision AND a.lease = b.lease AND b.create_revision IS NULL")" 155
expect_eq "$(q "$db" "SELECT count(*) FROM kv WHERE snapshot_id IN (2, 3, 7) AND (mod_revision IS NOT NULL OR lease IS NOT NULL)")" 0
expect_eq "$(q "$db" "SELECT revision || ' ' || etcd_cluster_id || ' ' || raft_term FROM snapshot WHERE id IN (1, 4, 5)")" \
  "$(printf '156 %s 2\n156 %s 2\n156 %s 2' "$(q "$db" "SELECT etcd_cluster_id FROM snapshot WHERE id = 1")" \
     "$(q "$db" "SELECT etcd_cluster_id FROM snapshot WHERE id = 1")" "$(q "$db" "SELECT etcd_cluster_id FROM snapshot WHERE id = 1")")"
expect_eq "$(q "$db" "SELECT etcd_cluster_id FROM snapshot WHERE id = 1")" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["header"]["cluster_id"])' "$C/get-json.txt")" "uint64 header id kept exactly"
expect_eq "$(q "$db" "SELECT cluster_name || ' ' || cluster_id || ' ' || captured_at FROM snapshot WHERE id = 8")" \
  "default 0 2025-03-10T08:15:00"

# The same decoded rows from every input kind.
for t in identity identity_label identity_ref ipcache node node_address node_cidr service service_backend heartbeat; do
  counts=$(q "$db" "SELECT group_concat(n, ' ') FROM (SELECT count(t.snapshot_id) AS n FROM snapshot s LEFT JOIN $t t ON t.snapshot_id = s.id WHERE s.id <= 7 GROUP BY s.id)")
  first=${counts%% *}
  [ "$first" -gt 0 ] || fail "$t: no rows"
  expect_eq "$counts" "$(printf "$first %.0s" 1 2 3 4 5 6 7 | sed 's/ $//')" "$t rows per snapshot"
done
expect_eq "$(q "$db" "SELECT count(*) FROM decode_error")" 0
expect_eq "$(q "$db" "SELECT count(*) FROM unknown_key")" 0
# A sysdump whose kvstore task failed for one prefix (an empty file): imported, with a warning.
cp -r "$C/sysdump" "$TMP/partial"
: >"$TMP/partial/kvstore-ips.json"
expect_status 0 kvimport -d "$db" -n partial -o json "$TMP/partial"
expect_in "$TMP/out" 'kvstore-ips.json is empty'
expect_eq "$(q "$db" "SELECT count(*) FROM ipcache WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'partial')")" 0
expect_eq "$(q "$db" "SELECT json_array_length(warnings) FROM snapshot WHERE name = 'partial'")" 1
echo "ok"
