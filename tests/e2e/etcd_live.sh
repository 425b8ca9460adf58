#!/usr/bin/env bash
# Against a real etcd on loopback: a Cilium 1.8 cluster (kvgen) plus hard keys (binary and
# multi-line values, an empty value, a re-created key, a leased key) are dumped with etcdctl in
# every write format, compressed and piped, and every import equals the -w json import.
# Without etcd this test fails: it does not pass silently.
source "$(dirname "$0")/lib.bash"
source "$SRC/scripts/etcd-harness.sh"
etcd_start "$TMP/etcd" || fail "cannot start etcd (scripts/setup installs etcd-server and etcd-client)"
E=(etcdctl --endpoints "$ETCD_ENDPOINT")

kvgen --nodes 6 --identities 30 --pods-per-node 12 --services 4 --seed 7 --cilium-version 1.8 -o load |
  python3 "$SRC/scripts/etcd-load.py" -q
"${E[@]}" put /app/multi "$(printf 'line1\nline2')" >/dev/null
printf 'line1\nline2\n\n' | "${E[@]}" put /app/multi-trailing >/dev/null
printf '\x00\x01\x02\xff\xfe"\\\x7f\tA' | "${E[@]}" put /app/binary >/dev/null
"${E[@]}" put /app/empty '' >/dev/null
"${E[@]}" put /app/recreated v1 >/dev/null
"${E[@]}" del /app/recreated >/dev/null
"${E[@]}" put /app/recreated v2 >/dev/null
lease=$("${E[@]}" lease grant 600 | awk '{print $2}')
"${E[@]}" put --lease="$lease" /app/leased x >/dev/null

"${E[@]}" get "" --prefix -w json >"$TMP/get.json"
"${E[@]}" get "" --prefix >"$TMP/get.simple"
"${E[@]}" get "" --prefix --hex >"$TMP/get.hex"
"${E[@]}" get "" --prefix -w fields | gzip >"$TMP/get.fields.gz"
"${E[@]}" get "" --prefix -w protobuf >"$TMP/get.pb"
"${E[@]}" get "" --prefix -w json --keys-only >"$TMP/keys.json"
zstd -q "$TMP/get.json" -o "$TMP/get.json.zst"
# Two pages, the way users page by hand: --limit, then --from-key past the last key.
"${E[@]}" get "" --prefix --limit 100 -w json >"$TMP/pages.json"
last=$(python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(open(sys.argv[1]))["kvs"][-1]["key"]).decode())' "$TMP/pages.json")
"${E[@]}" get "$last"$'\x01' --from-key -w json >>"$TMP/pages.json"
etcd_stop

db=$TMP/k.db
expect_status 0 kvimport -d "$db" -n json "$TMP/get.json"
keys=$(q "$db" "SELECT key_count FROM snapshot WHERE name = 'json'")
[ "$keys" -gt 150 ] || fail "only $keys keys in the json dump"
expect_status 0 kvimport -d "$db" -n simple "$TMP/get.simple"
expect_status 0 kvimport -d "$db" -n hex "$TMP/get.hex"
expect_status 0 kvimport -d "$db" -n fields "$TMP/get.fields.gz"
expect_status 0 kvimport -d "$db" -n protobuf - <"$TMP/get.pb"
expect_status 0 kvimport -d "$db" -n zst "$TMP/get.json.zst"
expect_status 0 kvimport -d "$db" -n pages "$TMP/pages.json"
expect_status 0 kvimport -d "$db" -n keys "$TMP/keys.json"

diff_count() {  # snapshot-name: keys/values of json missing from it plus extra in it
  q "$db" "SELECT (SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'json')
                   EXCEPT SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = '$1')))
         + (SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = '$1')
                   EXCEPT SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'json')))"
}
for name in simple hex fields protobuf zst pages; do
  expect_eq "$(diff_count $name)" 0 "$name differs from the json dump"
  expect_eq "$(q "$db" "SELECT key_count FROM snapshot WHERE name = '$name'")" "$keys" "$name key count"
done
expect_eq "$(q "$db" "SELECT joined_lines FROM snapshot WHERE name = 'simple'")" 4 "simple: lines joined back into values"
expect_eq "$(q "$db" "SELECT hex(value) FROM kv JOIN snapshot s ON s.id = kv.snapshot_id WHERE s.name = 'simple' AND key = CAST('/app/binary' AS BLOB)")" \
  "000102FFFE225C7F0941"
for name in fields protobuf pages; do
  expect_eq "$(q "$db" "SELECT count(*) FROM kv a JOIN kv b ON b.key = a.key WHERE a.snapshot_id = (SELECT id FROM snapshot WHERE name = 'json')
    AND b.snapshot_id = (SELECT id FROM snapshot WHERE name = '$name') AND a.create_revision = b.create_revision
    AND a.mod_revision = b.mod_revision AND a.version = b.version AND a.lease = b.lease")" "$keys" "$name revisions and leases"
done
expect_eq "$(q "$db" "SELECT version || ' ' || (create_revision > 2) FROM kv JOIN snapshot s ON s.id = kv.snapshot_id WHERE s.name = 'json' AND key = CAST('/app/recreated' AS BLOB)")" "1 1"
# etcdctl prints the lease zero-padded to 16 hex digits: compare the numbers.
expect_eq "$(q "$db" "SELECT lease FROM kv JOIN snapshot s ON s.id = kv.snapshot_id WHERE s.name = 'json' AND key = CAST('/app/leased' AS BLOB)")" "$((16#$lease))"
expect_eq "$(q "$db" "SELECT keys_only || ' ' || key_count FROM snapshot WHERE name = 'keys'")" "1 $keys"
# The Cilium part decodes completely.
expect_eq "$(q "$db" "SELECT count(*) FROM decode_error e JOIN snapshot s ON s.id = e.snapshot_id WHERE s.name = 'json'")" 0
expect_eq "$(q "$db" "SELECT count(*) FROM node n JOIN snapshot s ON s.id = n.snapshot_id WHERE s.name = 'json'")" 6
expect_eq "$(q "$db" "SELECT count(*) FROM identity n JOIN snapshot s ON s.id = n.snapshot_id WHERE s.name = 'json'")" 30
echo "ok"
