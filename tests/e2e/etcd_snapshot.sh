#!/usr/bin/env bash
# A real etcd on loopback: writes (puts, deletes, re-creates, leased keys, binary values) and a
# compaction, then `etcdctl snapshot save` and `etcdctl get --prefix -w json` at the same revision.
# Both import to the same kv; kv_history holds every revision since the compaction; --status
# prints etcdctl's own numbers; the live member db reads while etcd holds it open.
source "$(dirname "$0")/lib.bash"
source "$SRC/scripts/etcd-harness.sh"
etcd_start "$TMP/etcd" || fail "cannot start etcd (scripts/setup installs etcd-server and etcd-client)"
E=(etcdctl --endpoints "$ETCD_ENDPOINT")

kvgen --nodes 3 --identities 12 --pods-per-node 8 --services 2 --seed 11 -o load |
  python3 "$SRC/scripts/etcd-load.py" -q --ops-per-txn 1
for i in 1 2 3; do "${E[@]}" put /app/counter "v$i" >/dev/null; done
"${E[@]}" put /app/gone x >/dev/null
"${E[@]}" del /app/gone >/dev/null
compact_at=$("${E[@]}" get /app/counter -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
"${E[@]}" compact "$compact_at" >/dev/null
# After the compaction: every one of these revisions must be in kv_history.
"${E[@]}" put /app/counter v4 >/dev/null
"${E[@]}" put /app/recreated gen1 >/dev/null
"${E[@]}" del /app/recreated >/dev/null
"${E[@]}" put /app/recreated gen2 >/dev/null
printf '\x00\xff\x01binary\n' | "${E[@]}" put /app/binary >/dev/null
lease=$("${E[@]}" lease grant 900 | awk '{print $2}')
"${E[@]}" put --lease="$lease" /app/leased held >/dev/null
"${E[@]}" del cilium/state/ip/v1/default --prefix >/dev/null   # many keys deleted in one revision

"${E[@]}" get "" --prefix -w json >"$TMP/get.json"
"${E[@]}" snapshot save "$TMP/snap.db" >/dev/null 2>&1
"${E[@]}" snapshot status "$TMP/snap.db" -w json >"$TMP/etcdctl-status.json"
current=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["header"]["revision"])' "$TMP/get.json")

# The member's own db, read while etcd holds it open (read-only, no lock).
expect_status 0 kvimport --status "$ETCD_DATA_DIR/member/snap/db"
expect_in "$TMP/out" "trailer:          absent"
expect_status 0 kvimport -d "$TMP/live.db" "$ETCD_DATA_DIR/member/snap/db"
kill -0 "$ETCD_PID" || fail "etcd died while its db was read"
etcd_stop

# --status: the same numbers as etcdctl snapshot status -w json.
expect_status 0 kvimport --status -o json "$TMP/snap.db"
python3 - "$TMP/out" "$TMP/etcdctl-status.json" <<'PY'
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ("hash", "revision", "totalKey", "totalSize"):
    assert ours[k] == theirs[k], (k, ours[k], theirs[k])
assert ours["trailer"] == "match", ours
PY
expect_status 0 kvimport --verify "$TMP/snap.db"
expect_in "$TMP/out" "snap.db: ok"

db=$TMP/k.db
expect_status 0 kvimport -d "$db" -n json "$TMP/get.json"
expect_status 0 kvimport -d "$db" -n snap "$TMP/snap.db"
expect_in "$TMP/out" "(etcd-db)"
expect_status 0 kvimport -d "$db" -n snap-nohist --no-history "$TMP/snap.db"
cmp_kv() {  # the kv rows of snapshot $1 and $2 differ in this many rows
  q "$db" "SELECT count(*) FROM (
     SELECT key, value, create_revision, mod_revision, version, lease FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = '$1')
     EXCEPT SELECT key, value, create_revision, mod_revision, version, lease FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = '$2'))"
}
expect_eq "$(cmp_kv json snap)" 0 "snapshot kv lacks rows of the json dump"
expect_eq "$(cmp_kv snap json)" 0 "snapshot kv has rows the json dump lacks"
expect_eq "$(q "$db" "SELECT key_count FROM snapshot WHERE name = 'snap'")" "$(q "$db" "SELECT key_count FROM snapshot WHERE name = 'json'")"
expect_eq "$(q "$db" "SELECT revision || ' ' || compact_revision || ' ' || trailer FROM snapshot WHERE name = 'snap'")" \
  "$current $compact_at match"

# Every revision after the compaction is in kv_history, with the re-created key's whole story.
sid="(SELECT id FROM snapshot WHERE name = 'snap')"
expect_eq "$(q "$db" "SELECT count(DISTINCT main_revision) FROM kv_history WHERE snapshot_id = $sid AND main_revision > $compact_at")" \
  "$((current - compact_at))" "revisions after the compaction"
expect_eq "$(q "$db" "SELECT group_concat(tombstone || ':' || CAST(value AS TEXT), ' ') FROM (SELECT * FROM kv_history WHERE snapshot_id = $sid AND key = CAST('/app/recreated' AS BLOB) ORDER BY main_revision)")" \
  "0:gen1 1: 0:gen2"
expect_eq "$(q "$db" "SELECT count(*) FROM kv_history WHERE snapshot_id = $sid AND key = CAST('/app/gone' AS BLOB)")" 0 "compacted away"
# Compaction keeps only the newest record at or below it of a live key: v3, not v1 and v2.
expect_eq "$(q "$db" "SELECT group_concat(CAST(value AS TEXT)) FROM kv_history WHERE snapshot_id = $sid AND main_revision <= $compact_at AND key = CAST('/app/counter' AS BLOB)")" "v3"
expect_eq "$(q "$db" "SELECT count(*) FROM kv_history WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'snap-nohist')")" 0
# etcdctl prints lease ids zero-padded (%016x); kvsnap's id_hex is Cilium's unpadded %x.
lease_hex=$(printf '%x' "$((16#$lease))")
expect_eq "$(q "$db" "SELECT id_hex || ' ' || ttl FROM lease WHERE snapshot_id = $sid AND id = $((16#$lease))")" "$lease_hex 900"
expect_eq "$(q "$db" "SELECT count(*) FROM decode_error WHERE snapshot_id = $sid")" 0
expect_eq "$(q "$db" "SELECT count(*) FROM node WHERE snapshot_id = $sid")" 3 "the Cilium decoders ran on the snapshot"
expect_eq "$(q "$db" "SELECT count(*) FROM ipcache WHERE snapshot_id = $sid")" 0 "ipcache was deleted before the snapshot"

# The state at an older revision the file holds; a compacted one is refused.
expect_status 0 kvimport -d "$db" -n at --at-revision "$((compact_at + 1))" "$TMP/snap.db"
expect_eq "$(q "$db" "SELECT CAST(value AS TEXT) FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'at') AND key = CAST('/app/counter' AS BLOB)")" "v4"
expect_eq "$(q "$db" "SELECT count(*) FROM ipcache WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'at')")" 27 "24 pods and 3 health endpoints"
expect_status 2 kvimport -d "$db" -n old --at-revision "$((compact_at - 1))" "$TMP/snap.db"
expect_in "$TMP/err" "revision $((compact_at - 1)) has been compacted: this file holds revisions $compact_at to $current"

# The member db read while etcd ran holds the same state.
expect_eq "$(q "$TMP/live.db" "SELECT key_count || ' ' || revision || ' ' || trailer FROM snapshot")" \
  "$(q "$db" "SELECT key_count || ' ' || revision || ' absent' FROM snapshot WHERE name = 'snap'")"

# Damaged copies: exit 2 naming the page, --verify exit 1.
cp "$TMP/snap.db" "$TMP/bad.db"
printf '\x00\x00\x00\x00' | dd of="$TMP/bad.db" bs=1 seek=$((4096 + 16)) conv=notrunc status=none   # meta 1 magic
printf '\x00\x00\x00\x00' | dd of="$TMP/bad.db" bs=1 seek=16 conv=notrunc status=none               # meta 0 magic
expect_status 2 kvimport -d "$db" "$TMP/bad.db"
expect_in "$TMP/err" "bad.db: byte"   # the trailer no longer matches: checked first
expect_status 2 kvimport -d "$db" --skip-hash-check "$TMP/bad.db"
expect_in "$TMP/err" "bad.db: page 0: not a valid bbolt file: meta page 0: bad magic"
expect_status 2 kvimport --verify "$TMP/snap.db.missing"
expect_in "$TMP/err" "snap.db.missing: cannot open"
cp "$TMP/snap.db" "$TMP/flip.db"
printf '\xff' | dd of="$TMP/flip.db" bs=1 seek=$((2 * 4096 + 100)) conv=notrunc status=none
expect_status 1 kvimport --verify "$TMP/flip.db"
expect_in "$TMP/out" "SHA-256 trailer"
head -c 10000 "$TMP/snap.db" >"$TMP/short.db"
expect_status 2 kvimport -d "$db" "$TMP/short.db"
expect_in "$TMP/err" "short.db: page"
echo "ok"
