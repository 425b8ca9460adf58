#!/usr/bin/env bash
# kvquery: read-only enforcement for every kind of writing statement (the file stays byte for
# byte), saved queries, --schema, parameters, an input file in place of a database.
source "$(dirname "$0")/lib.bash"
db=$TMP/k.db
kvimport -d "$db" "$FIX/cluster/get-json.txt" "$FIX/demo/kvstore.json" "$FIX/etcd-3.4/snapshots/snap1.db" >/dev/null
before=$(sha256sum "$db")

refused() {  # SQL...: refused with exit 2, database unchanged
  expect_status 2 kvquery -d "$db" "$1"
  expect_in "$TMP/err" "${2:-read-only}"
  expect_eq "$(sha256sum "$db")" "$before" "database changed by: $1"
}
refused "INSERT INTO snapshot(name, source, format, imported_at) VALUES ('x', 'x', 'x', 'x')"
refused "UPDATE kv SET value = x'00'"
refused "DELETE FROM kv"
refused "REPLACE INTO finding VALUES (1, 'a', 'error', 'm', '[]', '{}')"
refused "DROP TABLE kv"
refused "DROP VIEW kv_text"
refused "CREATE TABLE t(x)"
refused "CREATE TEMP TABLE t(x)"
refused "CREATE INDEX i ON kv(value)"
refused "ALTER TABLE kv ADD COLUMN y"
refused "PRAGMA user_version = 7"
refused "PRAGMA journal_mode = WAL"
refused "VACUUM"
refused "REINDEX"
refused "ANALYZE"
refused "SELECT 1; DELETE FROM kv"
# ATTACH of another file: it opens read-only too (no file is created), and writing to it is refused.
sqlite3 "$TMP/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (42)"
other_before=$(sha256sum "$TMP/other.db")
refused "ATTACH '$TMP/other.db' AS o; INSERT INTO o.t VALUES (1)"
refused "ATTACH '$TMP/other.db' AS o; CREATE TABLE o.u(x)"
refused "ATTACH '$TMP/other.db' AS o; DROP TABLE o.t"
expect_eq "$(sha256sum "$TMP/other.db")" "$other_before" "an attached database changed"
refused "ATTACH '$TMP/new.db' AS o" "unable to open database"
refused "ATTACH 'file:$TMP/new2.db?mode=rwc' AS o" "access mode not allowed"
[ ! -e "$TMP/new.db" ] && [ ! -e "$TMP/new2.db" ] || fail "ATTACH created a database file"
expect_status 0 kvquery -d "$db" -o csv "ATTACH '$TMP/other.db' AS o; SELECT x FROM o.t"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "42" "reading an attached database"

# Reading works, with the current snapshot and kvsnap's SQL functions.
expect_status 0 kvquery -d "$db" -o csv "SELECT current_snapshot() AS s, count(*) AS n FROM kv WHERE snapshot_id = current_snapshot()"
expect_eq "$(tr -d '\r' <"$TMP/out")" "$(printf 's,n\n3,12')"
expect_status 0 kvquery -d "$db" -s get-json.txt -o csv "SELECT current_snapshot(), cidr_contains('10.0.0.0/24', '10.0.0.7'), ip_text(ip_bin('fd00::0:1')), label_value('k8s:a=b;k8s:c=d;', 'c')"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "1,1,fd00::1,d"
expect_status 0 kvquery -d "$db" -o csv "SELECT identity_cluster(65793, 16), identity_cluster(65793, 70) IS NULL, rfc3339(9223372036854775807) IS NULL"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "1,1,1"
expect_status 2 kvquery -d "$db" -s nope "SELECT 1"
expect_in "$TMP/err" "no snapshot 'nope'"
expect_status 2 kvquery -d "$db" "SELEC 1"
expect_in "$TMP/err" "SQL error"

# Every saved query runs (parameters given where needed).
expect_status 0 kvquery --list -o json
for q in $(python3 -c 'import json,sys; print(" ".join(q["query"] for q in json.load(open(sys.argv[1]))))' "$TMP/out"); do
  args=()
  case $q in
    pod-endpoints) args=(-p pod="$(kvquery -d "$db" -s kvstore.json -o csv "SELECT k8s_pod_name FROM ipcache WHERE snapshot_id = current_snapshot() AND k8s_pod_name IS NOT NULL ORDER BY 1 LIMIT 1" | tail -n 1 | tr -d '\r')") ;;
    identity-endpoints) args=(-p identity=6074) ;;
    key-history) args=(-p key=/app/recreated) ;;
  esac
  snap=kvstore.json
  [ "$q" = key-history ] && snap=snap1.db
  expect_status 0 kvquery -d "$db" -s "$snap" -q "$q" -o json "${args[@]}"
  python3 -c 'import json,sys; rows = json.load(open(sys.argv[1])); assert rows, sys.argv[2]' "$TMP/out" "$q" || fail "saved query $q returned no rows"
done
expect_status 0 kvquery -d "$db" -s snap1.db -q key-history -p key=/app/recreated -o csv
expect_eq "$(cut -d, -f3 "$TMP/out" | tr -d '\r' | tr '\n' ' ')" "op put put put delete put "
expect_status 2 kvquery -d "$db" -q pod-endpoints
expect_in "$TMP/err" "needs -p pod=VALUE"
expect_status 2 kvquery -d "$db" -q nope
expect_status 2 kvquery -d "$db" "SELECT :x"
expect_in "$TMP/err" "parameter :x has no value"
expect_status 0 kvquery -d "$db" -p x=5 -o csv "SELECT :x + 1 AS y"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "6"

# --schema: every table and view, every column of the decoded tables with a meaning.
expect_status 0 kvquery -d "$db" --schema -o json
python3 - "$TMP/out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
tables = {r["table"] for r in rows if r["column"] == ""}
for t in ("snapshot", "kv", "kv_history", "lease", "identity", "identity_label", "identity_ref", "ipcache", "node",
          "node_address", "node_cidr", "service", "service_backend", "cluster_config", "heartbeat", "sync_marker",
          "decode_error", "finding", "kv_text", "unknown_key"):
    assert t in tables, t
missing = [(r["table"], r["column"]) for r in rows if r["column"] and not r["meaning"]
           and r["table"] in ("snapshot", "kv", "ipcache", "node", "node_cidr", "identity", "kv_history")]
assert not missing, missing
assert all(r["meaning"] for r in rows if r["column"] == ""), [r["table"] for r in rows if r["column"] == "" and not r["meaning"]]
PY
expect_status 0 kvquery -d "$db" --schema node_cidr
expect_in "$TMP/out" "network/len, e.g. 10.6.6.0/24"
expect_status 2 kvquery -d "$db" --schema nope

# An input file in place of a database: imported into a temporary one.
expect_status 0 kvquery -d "$FIX/seed/get-json.txt" -o csv "SELECT id, namespace FROM identity"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "12928,istio-system"
expect_eq "$(sha256sum "$db")" "$before" "database changed by kvquery"
echo "ok"
