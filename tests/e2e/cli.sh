#!/usr/bin/env bash
# kvimport's command line: help, listings, naming, --replace, -o json, stdin and compression.
source "$(dirname "$0")/lib.bash"
db=$TMP/k.db

expect_status 0 kvimport --help
expect_in "$TMP/out" "Usage: kvimport"
expect_in "$TMP/out" "--format"
expect_status 0 kvimport --list-formats
for f in etcd-json etcd-simple etcd-hex etcd-fields etcd-protobuf cilium-json cilium-text sysdump; do
  expect_in "$TMP/out" "$f"
done
expect_status 0 kvimport --list-layouts
expect_in "$TMP/out" "cilium/state/identities/v1/id/<ID>"
expect_status 2 kvimport -d "$db"
expect_in "$TMP/err" "no INPUT"
expect_status 2 kvimport --bogus
expect_status 2 kvimport -d "$db" --format nope "$FIX/etcd-3.4/get-json.txt"
expect_in "$TMP/err" "unknown --format 'nope'"
expect_status 2 kvimport -d "$db" "$TMP/does-not-exist.json"
expect_in "$TMP/err" "does-not-exist.json: cannot open: No such file or directory"

# JSON report: one object, the documented members.
expect_status 0 kvimport -d "$db" -o json "$FIX/seed/get-json.txt"
python3 - "$TMP/out" <<'PY'
import json, sys, kvdoc
doc = json.load(open(sys.argv[1]))
assert doc["tool"] == "kvimport" and doc["database"], doc
s = kvdoc.rows(doc, "snapshots")[0]
for k in ("id", "name", "format", "keys", "revision", "counts", "decode_errors"):
    assert k in s, k
assert s["format"] == "etcd-json" and s["keys"] == 5 and s["revision"] == 6, s
assert s["counts"]["identity"] == 1 and s["counts"]["ipcache"] == 2 and s["counts"]["node"] == 1, s
PY

# Same name again: refused without --replace, replaced with it.
expect_status 2 kvimport -d "$db" "$FIX/seed/get-json.txt"
expect_in "$TMP/err" "a snapshot named 'get-json.txt' already exists"
expect_status 0 kvimport -d "$db" --replace "$FIX/seed/get-json.txt"
expect_eq "$(q "$db" "SELECT count(*) FROM snapshot")" "1"
expect_eq "$(q "$db" "SELECT count(DISTINCT snapshot_id) FROM kv")" "1" "--replace leaves no rows of the old snapshot"
expect_eq "$(q "$db" "SELECT count(*) FROM identity_label")" "8" "--replace leaves no decoded rows of the old snapshot"

# -n, stdin, compressed input (detected from the bytes, not the name).
zstd -q -c "$FIX/seed/get-json.txt" >"$TMP/seed.data"
gzip -c "$FIX/seed/seed-kvstore.txt" >"$TMP/seed2.data"
expect_status 0 kvimport -d "$db" -n zst "$TMP/seed.data"
expect_in "$TMP/out" "(etcd-json, zstd)"
expect_status 0 kvimport -d "$db" -n gz "$TMP/seed2.data"
expect_in "$TMP/out" "(cilium-text, gzip)"
expect_status 0 kvimport -d "$db" -n piped - <"$FIX/etcd-3.4/get-protobuf.bin"
expect_in "$TMP/out" "(etcd-protobuf)"
expect_eq "$(q "$db" "SELECT name || ':' || key_count FROM snapshot ORDER BY id")" \
  "$(printf 'get-json.txt:5\nzst:5\ngz:5\npiped:12')"
# The same keys and values whatever the format or compression.
expect_eq "$(q "$db" "SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = 3 EXCEPT SELECT key, value FROM kv WHERE snapshot_id = 2)")" "0"
expect_status 2 kvimport -d "$db" -n x "$FIX/seed/get-json.txt" "$FIX/seed/seed-kvstore.txt"
expect_in "$TMP/err" "-n names one snapshot"
echo "ok"
