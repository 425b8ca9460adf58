#!/usr/bin/env bash
# kvquery: read-only enforcement for every kind of writing statement (the file stays byte for
# byte), saved queries (the first questions on IPv4, IPv6 and KVStoreMesh rows), --schema,
# parameters, snapshot-scoped SQL, an input file in place of a database.
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
    who-has-ip) args=(-p ip=10.0.1.8) ;;
    node) args=(-p name=worker-2) ;;
    cidr-owner) args=(-p cidr=10.0.1.0/24) ;;
    identity) args=(-p id=11648) ;;
  esac
  snap=kvstore.json
  [ "$q" = key-history ] && snap=snap1.db
  expect_status 0 kvquery -d "$db" -s "$snap" -q "$q" -o json "${args[@]}"
  python3 -c 'import json,sys; rows = json.load(open(sys.argv[1])); assert rows, sys.argv[2]' "$TMP/out" "$q" || fail "saved query $q returned no rows"
done
expect_status 0 kvquery -d "$db" -s snap1.db -q key-history -p key=/app/recreated -o csv
expect_eq "$(cut -d, -f3 "$TMP/out" | tr -d '\r' | tr '\n' ' ')" "op put put put delete put "
! grep -q "history" "$TMP/err" || fail "a note about history on a snapshot that kept it: $(cat "$TMP/err")"
# No rows from kv_history because the snapshot has none is said, never left to read as "the key
# never changed": a db file imported with --no-history, and a dump (no history at all).
kvimport -d "$TMP/nohist.db" --no-history "$FIX/etcd-3.4/snapshots/snap1.db" >/dev/null
expect_status 0 kvquery -d "$TMP/nohist.db" -q key-history -p key=/app/recreated -o csv
expect_eq "$(wc -l <"$TMP/out")" "1" "key-history rows after --no-history"
expect_in "$TMP/err" 'was imported with --no-history: kv_history holds none of its revisions'
expect_status 0 kvquery -d "$TMP/nohist.db" -o csv "SELECT count(*) FROM kv_revision"
expect_in "$TMP/err" 'was imported with --no-history'
expect_status 0 kvquery -d "$TMP/nohist.db" -o csv "SELECT count(*) FROM kv"
! grep -q "history" "$TMP/err" || fail "a note about history for a query that does not read it"
expect_status 0 kvquery -d "$db" -s kvstore.json -q key-history -p key=cilium/.heartbeat -o csv
# Without -s free SQL reads every snapshot: each one without history is named, the one with none.
expect_status 0 kvquery -d "$db" -o csv "SELECT count(*) FROM kv_history"
expect_in "$TMP/err" '"get-json.txt" (etcd-json) has no history'
expect_in "$TMP/err" '"kvstore.json" (etcd-json) has no history'
! grep -q '"snap1.db".*history' "$TMP/err" || fail "a history note for snap1.db, which kept its history: $(cat "$TMP/err")"
expect_in "$TMP/err" '(etcd-json) has no history: only etcd db files'
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

# The first questions, IPv4 and IPv6, state and KVStoreMesh cache rows: a small dump made from
# the healthy cluster's node value (worker-6 with an IPv6 pod CIDR, an endpoint whose identity has
# no master key, a remote cluster2 node, endpoint and identity in the cache).
python3 - "$FIX/cluster/get-json.txt" "$TMP/mesh.json" <<'PY'
import base64, json, sys
def b(x): return base64.b64encode(x.encode() if isinstance(x, str) else x).decode()
def dec(x): return base64.b64decode(x).decode()
node = next(json.loads(dec(kv["value"])) for kv in json.load(open(sys.argv[1]))["kvs"]
            if dec(kv["key"]) == "cilium/state/nodes/v1/default/worker-1")
w6 = dict(node, Name="worker-6", IPv4HealthIP="", IPAddresses=[
    {"Type": "InternalIP", "IP": "192.168.1.9"}, {"Type": "InternalIP", "IP": "fd00::9"},
    {"Type": "CiliumInternalIP", "IP": "10.0.6.1"}],
    IPv4AllocCIDR={"IP": "10.0.6.0", "Mask": b(b"\xff\xff\xff\x00")},
    IPv6AllocCIDR={"IP": "fd00:10:6::", "Mask": b(b"\xff" * 8 + b"\x00" * 8)})
r1 = dict(node, Name="remote-1", Cluster="cluster2", ClusterID=2, IPv4HealthIP="",
          IPAddresses=[{"Type": "InternalIP", "IP": "172.16.0.2"}], IPv4AllocCIDR={"IP": "10.2.0.0", "Mask": b(b"\xff\xff\xff\x00")})
def ip(addr, host, ident, meta, ns, pod):
    return json.dumps({"IP": addr, "Mask": None, "HostIP": host, "ID": ident, "Key": 0, "Metadata": meta,
                       "K8sNamespace": ns, "K8sPodName": pod})
v6 = "k8s:app=v6;k8s:io.kubernetes.pod.namespace=default;"
keys = [
    ("cilium/state/nodes/v1/default/worker-6", json.dumps(w6)),
    ("cilium/state/ip/v1/default/fd00:10:6::5", ip("fd00:10:6::5", "192.168.1.9", 20000, "cilium-global:default:worker-6:100", "default", "v6-pod")),
    ("cilium/state/ip/v1/default/10.0.6.7", ip("10.0.6.7", "192.168.1.9", 30000, "cilium-global:default:worker-6:101", "default", "lost-pod")),
    ("cilium/state/identities/v1/id/20000", v6),
    ("cilium/state/identities/v1/value/" + v6 + "/192.168.1.9", "20000"),
    ("cilium/cache/nodes/v1/cluster2/remote-1", json.dumps(r1)),
    ("cilium/cache/ip/v1/cluster2/10.2.0.5", ip("10.2.0.5", "172.16.0.2", 131329, "cilium-global:cluster2:remote-1:5", "payments", "remote-pod")),
    ("cilium/cache/identities/v1/cluster2/id/131329", "k8s:app=remote;k8s:io.kubernetes.pod.namespace=payments;"),
]
kvs = [{"key": b(k), "create_revision": 2 + i, "mod_revision": 2 + i, "version": 1, "value": b(v)} for i, (k, v) in enumerate(keys)]
json.dump({"header": {"revision": 20}, "kvs": kvs, "count": len(kvs)}, open(sys.argv[2], "w"))
PY
kvimport -d "$TMP/mesh.db" "$TMP/mesh.json" >/dev/null
expect_eq "$(q "$TMP/mesh.db" "SELECT count(*) FROM decode_error")" "0" "the mesh dump decodes"
# facts QUERY PARAM [DB]: the query's rows as "scope|cluster|fact|value|detail" lines in $TMP/facts.
facts() {
  expect_status 0 kvquery -d "${3:-$TMP/mesh.db}" -q "$1" -p "$2" -o json
  python3 -c 'import json,sys; [print("|".join(r[c] for c in ("scope", "cluster", "fact", "value", "detail"))) for r in json.load(open(sys.argv[1]))]' \
    "$TMP/out" >"$TMP/facts"
}
facts who-has-ip ip=fd00:10:6::5
expect_in "$TMP/facts" "state||ipcache entry|fd00:10:6::5|cilium/state/ip/v1/default/fd00:10:6::5"
expect_in "$TMP/facts" "state||pod|default/v6-pod|endpoint 100"
expect_in "$TMP/facts" "state||identity|20000|master key cilium/state/identities/v1/id/20000, 2 labels"
expect_in "$TMP/facts" "state||label|k8s:app=v6|"
expect_in "$TMP/facts" "state||node|worker-6|HostIP 192.168.1.9"
expect_in "$TMP/facts" "state||node address|fd00::9|InternalIP"
expect_in "$TMP/facts" "state||node pod CIDR|fd00:10:6::/64|holds fd00:10:6::5"
expect_in "$TMP/facts" "state||pod CIDR of node|worker-6|fd00:10:6::/64 holds fd00:10:6::5"
if grep -q "10.0.6.0/24" "$TMP/facts"; then fail "who-has-ip of an IPv6 endpoint lists the node's IPv4 CIDR"; fi
facts who-has-ip ip=10.0.6.7
expect_in "$TMP/facts" "state||identity|30000|MISSING: no master key cilium/state/identities/v1/id/30000"
if grep -q "|label|" "$TMP/facts"; then fail "labels listed for a missing identity"; fi
facts who-has-ip ip=10.2.0.5
expect_in "$TMP/facts" "cache|cluster2|ipcache entry|10.2.0.5|cilium/cache/ip/v1/cluster2/10.2.0.5"
expect_in "$TMP/facts" "cache|cluster2|identity|131329|master key cilium/cache/identities/v1/cluster2/id/131329, 2 labels"
expect_in "$TMP/facts" "cache|cluster2|node|remote-1|HostIP 172.16.0.2"
expect_in "$TMP/facts" "cache|cluster2|node pod CIDR|10.2.0.0/24|holds 10.2.0.5"
facts who-has-ip ip=fd00::9
expect_eq "$(cat "$TMP/facts")" "state||address of node|worker-6|InternalIP"
facts who-has-ip ip=10.99.0.1
expect_eq "$(cut -d'|' -f3,4 "$TMP/facts")" "not found|10.99.0.1"
facts who-has-ip ip=nonsense
expect_eq "$(cut -d'|' -f3,4 "$TMP/facts")" "not an IP|nonsense"
facts node name=worker-6
expect_in "$TMP/facts" "state||pod CIDR|fd00:10:6::/64|primary"
expect_in "$TMP/facts" "state||endpoints|2|ipcache entries with HostIP 192.168.1.9 or fd00::9 or Metadata naming worker-6, 0 outside its pod CIDRs"
expect_in "$TMP/facts" "state||identity|20000|default app=v6: 1 endpoint, slave key"
expect_in "$TMP/facts" "state||identity|30000|no master key: 1 endpoint, NO slave key from this node"
facts node name=remote-1
expect_in "$TMP/facts" "cache|cluster2|endpoint|10.2.0.5|payments/remote-pod, identity 131329"
facts node name=nope
expect_eq "$(cut -d'|' -f3,4 "$TMP/facts")" "not found|nope"
facts cidr-owner cidr=fd00:10::/32
expect_in "$TMP/facts" "state||claimed by|worker-6|fd00:10:6::/64 (primary): inside fd00:10::/32"
expect_in "$TMP/facts" "state||endpoints on node|worker-6|1 endpoint"
facts cidr-owner cidr=10.0.6.0/24
expect_in "$TMP/facts" "state||claimed by|worker-6|10.0.6.0/24 (primary): equal to 10.0.6.0/24"
expect_in "$TMP/facts" "state||node address|10.0.6.1|CiliumInternalIP of worker-6"
facts cidr-owner cidr=10.2.0.5
expect_in "$TMP/facts" "cache|cluster2|claimed by|remote-1|10.2.0.0/24 (primary): contains 10.2.0.5/32"
facts cidr-owner cidr=10.3.0.0/16
expect_eq "$(cut -d'|' -f3,4 "$TMP/facts" | tr '\n' ' ')" "not claimed|10.3.0.0/16 endpoints|0 "
facts cidr-owner cidr=10.3.0.0/99
expect_eq "$(cut -d'|' -f3 "$TMP/facts")" "not a CIDR"
facts identity id=20000
expect_in "$TMP/facts" "state||master key|cilium/state/identities/v1/id/20000|namespace default, 2 labels"
expect_in "$TMP/facts" "state||slave key|worker-6|node IP 192.168.1.9"
expect_in "$TMP/facts" "state||endpoint|fd00:10:6::5|default/v6-pod on worker-6"
expect_in "$TMP/facts" "state||node|worker-6|slave key, 1 endpoint"
facts identity id=30000
expect_in "$TMP/facts" "||master key|(none)|MISSING: no master key cilium/state/identities/v1/id/30000"
expect_in "$TMP/facts" "state||node|worker-6|NO slave key, 1 endpoint"
facts identity id=131329
expect_in "$TMP/facts" "cache|cluster2|master key|cilium/cache/identities/v1/cluster2/id/131329|namespace payments, 2 labels"
facts identity id=4 "$FIX/demo/kvstore.json"
expect_in "$TMP/facts" "||master key|(none)|reserved:health identity"
facts identity id=99999
expect_eq "$(cut -d'|' -f3,4 "$TMP/facts")" "not found|99999"

# Snapshot-scoped SQL: with -s, or when the database holds one snapshot, unqualified tables hold
# that snapshot's rows; main.TABLE holds every snapshot's.
two=$TMP/two.db
kvimport -d "$two" -n a "$FIX/cluster/get-json.txt" >/dev/null
kvimport -d "$two" -n b "$FIX/demo/kvstore.json" >/dev/null
two_before=$(sha256sum "$two")
na=$(q "$two" "SELECT count(*) FROM ipcache WHERE snapshot_id = 1")
nb=$(q "$two" "SELECT count(*) FROM ipcache WHERE snapshot_id = 2")
[ "$na" != "$nb" ] || fail "the two snapshots should differ"
value() {  # ARGS...: the last line of kvquery -o csv (stderr in $TMP/err)
  expect_status 0 kvquery -d "$two" -o csv "$@"
  tail -n 1 "$TMP/out" | tr -d '\r'
}
no_note() { if [ -s "$TMP/err" ]; then fail "$1: $(cat "$TMP/err")"; fi; }
expect_eq "$(value -s a "SELECT count(*) FROM ipcache")" "$na" "-s a: ipcache"
expect_eq "$(value -s b "SELECT count(*) FROM ipcache")" "$nb" "-s b: ipcache"
expect_eq "$(value -s 1 "SELECT count(*) FROM main.ipcache")" "$((na + nb))" "-s 1: main.ipcache"
expect_eq "$(value -s a "SELECT group_concat(name) FROM snapshot")" "a" "-s a: snapshot"
expect_eq "$(value -s a "SELECT group_concat(name, ' ') FROM main.snapshot")" "a b" "-s a: main.snapshot"
expect_eq "$(value -s a "SELECT current_snapshot()")" "1"
expect_eq "$(value -s b "SELECT count(*) FROM kv_text")" "$(q "$two" "SELECT count(*) FROM kv WHERE snapshot_id = 2")" "-s b: kv_text"
expect_eq "$(value -s b "SELECT count(*) FROM ipcache p JOIN identity i ON i.id = p.identity")" \
  "$(q "$two" "SELECT count(*) FROM ipcache p JOIN identity i ON i.id = p.identity AND i.snapshot_id = 2 WHERE p.snapshot_id = 2")" "-s b: a join"
expect_eq "$(value -s a "SELECT count(*) FROM ipcache WHERE ip = '10.0.1.8'")" "1" "-s a: an IP both snapshots hold"
no_note "a note with -s"
# The views are inlined: a query uses the table's index, with snapshot_id from the view.
expect_status 0 kvquery -d "$two" -s a -o csv "EXPLAIN QUERY PLAN SELECT * FROM ipcache WHERE ip_bin = ip_bin('10.0.1.8')"
expect_in "$TMP/out" "SEARCH main.ipcache USING INDEX ipcache_ip (snapshot_id=? AND ip_bin=?)"
plan() {  # SQL: its query plan with -s a, a table read through its view named by its alias
  expect_status 0 kvquery -d "$two" -s a -o csv "EXPLAIN QUERY PLAN $1"
  cut -d, -f4- "$TMP/out" | tr -d '\r' | sed 's/main\.ipcache/p/; s/main\.identity/i/'
}
for where in "p.ip = '10.0.1.8'" "p.identity = 11460" "i.namespace = 'payments' AND p.host_ip = '192.168.1.6'"; do
  expect_eq "$(plan "SELECT * FROM ipcache p JOIN identity i ON i.id = p.identity WHERE $where")" \
    "$(plan "SELECT * FROM main.ipcache p JOIN main.identity i ON i.id = p.identity AND i.snapshot_id = 1 WHERE p.snapshot_id = 1 AND $where")" \
    "the plan through the views differs from the plan on the tables ($where)"
done
# Several snapshots, no -s: every snapshot's rows, as before, and a note naming the tables read so.
expect_eq "$(value "SELECT count(*) FROM ipcache")" "$((na + nb))" "no -s: ipcache"
expect_in "$TMP/err" "kvquery: note: $two holds 2 snapshots and no -s was given: ipcache gave the rows of all 2"
expect_eq "$(value "SELECT count(*) FROM main.ipcache p JOIN main.kv k ON k.id = p.kv_id")" "$((na + nb))" "no -s: main."
no_note "a note for main.TABLE"
expect_eq "$(value "SELECT count(*) FROM snapshot")" "2" "no -s: snapshot"
no_note "a note for table snapshot"
value "SELECT count(*) FROM kv_text k JOIN node n ON n.kv_id = k.id WHERE n.snapshot_id = current_snapshot()" >/dev/null
expect_in "$TMP/err" ": kv_text, node gave the rows of all 2"
expect_eq "$(value "SELECT current_snapshot()")" "2" "no -s: current_snapshot()"
# Saved queries are unchanged: they work on current_snapshot(), snapshot-summary lists all.
expect_status 0 kvquery -d "$two" -s a -q snapshot-summary -o csv
expect_eq "$(tail -n +2 "$TMP/out" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" "a b "
expect_status 0 kvquery -d "$two" -s a -q who-has-ip -p ip=10.0.1.8 -o csv
expect_in "$TMP/out" "identity,11460,\"master key cilium/state/identities/v1/id/11460,"
expect_status 0 kvquery -d "$two" -s b -q who-has-ip -p ip=10.0.1.8 -o csv
expect_in "$TMP/out" "identity,11460,MISSING"
# One snapshot: scoped without -s (an input file too), and no note.
kvimport -d "$TMP/one.db" -n a "$FIX/cluster/get-json.txt" >/dev/null
expect_status 0 kvquery -d "$TMP/one.db" -o csv "SELECT count(*) FROM ipcache"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "$na"
no_note "a note with one snapshot"
expect_status 0 kvquery -d "$FIX/cluster/get-json.txt" -o csv "SELECT count(*) FROM ipcache"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "$na"
# Writes stay refused through the views, with -s and without (creating a TEMP view too).
for s in "-s a" ""; do
  for sql in "INSERT INTO snapshot(name, source, format, imported_at) VALUES ('x', 'x', 'x', 'x')" \
    "UPDATE ipcache SET identity = 1" "DELETE FROM kv" "DROP TABLE kv" "DROP VIEW ipcache" "DROP VIEW kv_text" \
    "CREATE INDEX i ON kv(value)" "ALTER TABLE kv ADD COLUMN y" "ALTER TABLE ipcache RENAME TO x" \
    "CREATE TEMP VIEW v AS SELECT 1" "CREATE TEMP VIEW ipcache AS SELECT 1" "SELECT 1; DELETE FROM ipcache; SELECT 2"; do
    # shellcheck disable=SC2086
    expect_status 2 kvquery -d "$two" $s "$sql"
    expect_in "$TMP/err" "kvquery is read-only: this statement would change the database"
    expect_eq "$(sha256sum "$two")" "$two_before" "database changed by: $sql"
  done
done
expect_in "$TMP/err" "would change the database: DELETE FROM ipcache;"
# --schema and --list open no database: they work where there is none.
mkdir "$TMP/empty"
(cd "$TMP/empty" && kvquery --schema ipcache -o csv >"$TMP/out" 2>"$TMP/err") || fail "--schema without a database: $(cat "$TMP/err")"
expect_in "$TMP/out" "ipcache,ip_bin,BLOB,"
(cd "$TMP/empty" && kvquery --list >"$TMP/out" 2>"$TMP/err") || fail "--list without a database: $(cat "$TMP/err")"
expect_in "$TMP/out" "who-has-ip"
expect_eq "$(ls -A "$TMP/empty")" "" "--schema or --list made a file"

# An input file in place of a database: imported into a temporary one.
expect_status 0 kvquery -d "$FIX/seed/get-json.txt" -o csv "SELECT id, namespace FROM identity"
expect_eq "$(tail -n 1 "$TMP/out" | tr -d '\r')" "12928,istio-system"
expect_eq "$(sha256sum "$db")" "$before" "database changed by kvquery"
echo "ok"

# The fast key lookup kvquery --help shows finds the key (in kv_text, whose key is text); in kv the
# key is a BLOB, found with the same form and CAST(... AS BLOB).
help_form=$(kvquery --help | grep -o "WHERE key_hash = key_hash('K') AND key = 'K'" | sed "s/'K'/'cilium\/.heartbeat'/g")
[ -n "$help_form" ] || fail "kvquery --help no longer shows the key lookup"
expect_eq "$(kvquery -d "$db" -s 1 -o csv "SELECT count(*) AS n FROM kv_text $help_form" | tr -d '\r')" "$(printf 'n\n1')"
expect_eq "$(kvquery -d "$db" -s 1 -o csv "SELECT count(*) AS n FROM kv WHERE key_hash = key_hash('cilium/.heartbeat') AND key = CAST('cilium/.heartbeat' AS BLOB)" | tr -d '\r')" "$(printf 'n\n1')"
