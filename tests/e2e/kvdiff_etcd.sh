#!/usr/bin/env bash
# kvdiff on two states of a real etcd: write, snapshot, change, snapshot. Every change is asserted
# entity by entity; the same diff comes out of two snapshot files, of FILE@REV against FILE, and
# of the two json dumps imported into one database.
source "$(dirname "$0")/lib.bash"
source "$SRC/scripts/etcd-harness.sh"
etcd_start "$TMP/etcd" || fail "cannot start etcd (scripts/setup installs etcd-server and etcd-client)"
E=(etcdctl --endpoints "$ETCD_ENDPOINT")
kvgen --nodes 4 --identities 20 --pods-per-node 15 --services 5 --seed 42 --cilium-version 1.16 -o load |
  python3 "$SRC/scripts/etcd-load.py" -q --ops-per-txn 1
"${E[@]}" snapshot save "$TMP/a.db" >/dev/null 2>&1
"${E[@]}" get "" --prefix -w json >"$TMP/a.json"
rev_a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["header"]["revision"])' "$TMP/a.json")

get() { "${E[@]}" get "$1" --print-value-only; }
edit() {  # KEY PYTHON-EXPRESSION-ON-v: rewrite a JSON value, keeping its lease
  local v lease
  v=$(get "$1")
  lease=$("${E[@]}" get "$1" -w json | python3 -c 'import json,sys; print("%x" % json.load(sys.stdin)["kvs"][0].get("lease", 0))')
  v=$(python3 -c "import json,sys; v = json.loads(sys.argv[1]); $2; print(json.dumps(v, separators=(',', ':')))" "$v")
  if [ "$lease" = 0 ]; then "${E[@]}" put -- "$1" "$v" >/dev/null; else "${E[@]}" put --lease="$lease" -- "$1" "$v" >/dev/null; fi
}
N=cilium/state/nodes/v1/default
I=cilium/state/identities/v1/id
P=cilium/state/ip/v1/default
# node worker-2 gets another pod CIDR; worker-4 goes away
edit $N/worker-2 'v["IPv4AllocCIDR"]["IP"] = "10.0.7.0"'
"${E[@]}" del $N/worker-4 >/dev/null
# identity 11460's label set is allocated again as 30001 (its old master key deleted)
labels=$(get $I/11460)
"${E[@]}" del $I/11460 >/dev/null
"${E[@]}" put $I/30001 "$labels" >/dev/null
# ipcache: one entry changes identity, one is deleted, one is added
edit $P/10.0.0.15 'v["ID"] = 30001'
"${E[@]}" del $P/10.0.0.14 >/dev/null
"${E[@]}" put $P/10.0.0.99 "$(get $P/10.0.0.15 | sed 's/10.0.0.15/10.0.0.99/')" >/dev/null
# a service loses its backends' port name; a cluster config and an unknown key appear; the heartbeat ticks
# awk, not head: head closing the pipe early would fail the pipeline (pipefail) when etcdctl writes on
svc=$("${E[@]}" get cilium/state/services/v1/default --prefix --keys-only | awk 'NF && !seen++')
edit "$svc" 'v["backends"] = {ip: {"": p} for ip, ports in v["backends"].items() for p in ports.values()}'
"${E[@]}" put cilium/cluster-config/default '{"id":0,"capabilities":{"maxConnectedClusters":255}}' >/dev/null
"${E[@]}" put cilium/debug/marker hello >/dev/null
"${E[@]}" put cilium/.heartbeat 2025-03-10T08:16:00Z >/dev/null
# only metadata: the same value put again (new mod_revision and version)
same=$(get $P/10.0.0.16)
"${E[@]}" put $P/10.0.0.16 "$same" >/dev/null
"${E[@]}" snapshot save "$TMP/b.db" >/dev/null 2>&1
"${E[@]}" get "" --prefix -w json >"$TMP/b.json"
etcd_stop

expect_status 1 kvdiff -o json "$TMP/a.db" "$TMP/b.db"
cp "$TMP/out" "$TMP/diff.json"
python3 - "$TMP/diff.json" "$svc" <<'PY'
import json, sys, kvdoc
d = json.load(open(sys.argv[1]))
svc = sys.argv[2].split("cilium/state/services/v1/")[1]
ch = {(c["entity"], c["id"]): c for c in kvdoc.rows(d, "changes/")}
def fields(e, i):
    return {f["field"]: (f["old"], f["new"]) for f in ch[(e, i)]["fields"]}
assert ch[("node", "default/worker-2")]["change"] == "changed"
f = fields("node", "default/worker-2")
assert f["pod_cidrs"] == (["10.0.1.0/24"], ["10.0.7.0/24"]), f
assert set(f) == {"pod_cidrs"}, f  # decoded fields only: no revision or lease
assert ch[("node", "default/worker-4")]["change"] == "removed"
m = ch[("identity", "30001")]
assert m["change"] == "moved", m
assert fields("identity", "30001")["id"] == ("11460", "30001")
assert ("identity", "11460") not in ch
assert set(fields("ipcache", "10.0.0.15")) == {"identity"} and fields("ipcache", "10.0.0.15")["identity"][1] == 30001
assert ch[("ipcache", "10.0.0.14")]["change"] == "removed"
assert ch[("ipcache", "10.0.0.99")]["change"] == "added"
assert ("ipcache", "10.0.0.16") not in ch, "a metadata-only change must be hidden"
assert ch[("service", svc)]["change"] == "changed" and "backends" in fields("service", svc)
assert ch[("cluster_config", "default")]["change"] == "added"
assert ch[("key", "cilium/debug/marker")]["change"] == "added"
assert fields("key", "cilium/.heartbeat")["value"] == ("2025-03-10T08:15:00Z", "2025-03-10T08:16:00Z")
s = {r["entity"]: {k: r[k] for k in ("added", "removed", "changed", "moved")} for r in kvdoc.section(d, "summary")["rows"]}
assert s["node"] == {"added": 0, "removed": 1, "changed": 1, "moved": 0}, s["node"]
assert s["identity"]["moved"] == 1 and s["identity"]["added"] == 0 and s["identity"]["removed"] == 0, s["identity"]
# worker-4's slave keys and endpoints stay behind its node entry: new findings, as in a real cluster
new = {f["check"] for f in kvdoc.section(d, "findings/new")["rows"]}
assert "identity-slave-orphan" in new and "ip-identity-missing" in new, new
assert d["old"]["format"] == "etcd-db" and d["differs"] is True
print("ok")
PY

# Metadata on request: the re-put key shows its new mod_revision and version.
expect_status 1 kvdiff -o json --include-metadata --entity ipcache "$TMP/a.db" "$TMP/b.db"
python3 -c '
import json, sys, kvdoc
d = json.load(open(sys.argv[1]))
c = [c for c in kvdoc.rows(d, "changes/") if c["id"] == "10.0.0.16"][0]
assert {f["field"] for f in c["fields"]} >= {"meta.mod_revision", "meta.version"}, c
assert all(x["entity"] == "ipcache" for x in kvdoc.rows(d, "changes/"))' "$TMP/out" || fail "--include-metadata"

# The same changes from B's own history (FILE@REV), and from the json dumps in one database.
expect_status 1 kvdiff -o json --no-findings "$TMP/b.db@$rev_a" "$TMP/b.db"
python3 -c '
import json, sys, kvdoc
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert kvdoc.rows(a, "changes/") == kvdoc.rows(b, "changes/"), "FILE@REV differs from the older file"' "$TMP/diff.json" "$TMP/out" || fail "FILE@REV"
db=$TMP/k.db
kvimport -d "$db" -n before "$TMP/a.json" >/dev/null
kvimport -d "$db" -n after "$TMP/b.json" >/dev/null
expect_status 1 kvdiff -d "$db" -o json --no-findings before after
python3 -c '
import json, sys, kvdoc
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert kvdoc.rows(a, "changes/") == kvdoc.rows(b, "changes/")' "$TMP/diff.json" "$TMP/out" || fail "json dumps in a database"
expect_status 0 kvdiff -d "$db" before before
expect_in "$TMP/out" "no differences"
expect_status 1 kvdiff -d "$db" --summary after before
expect_in "$TMP/out" "findings:"
expect_status 2 kvdiff -d "$db" before nope
expect_in "$TMP/err" "no snapshot 'nope'"
expect_status 2 kvdiff -d "$db" --entity nodes before after
# Two files are imported into temporary databases; kvdiff exits without tearing down what it
# holds, and leaves nothing in $TMPDIR (with findings and without: the checks' threads too).
mkdir "$TMP/tmpdir"
for extra in "" --no-findings; do
  TMPDIR=$TMP/tmpdir expect_status 1 kvdiff -o json $extra "$TMP/a.json" "$TMP/b.json"
  [ -z "$(ls -A "$TMP/tmpdir")" ] || fail "kvdiff $extra left $(ls -A "$TMP/tmpdir") in TMPDIR"
done
echo "ok"
