#!/usr/bin/env bash
# Every JSON that kvsnap writes holds each object key once (a JSON parser keeps only one of two):
# every saved query, SQL whose columns share a name, and every tool's json, ndjson and sarif.
source "$(dirname "$0")/lib.bash"
demo=$FIX/demo/kvstore.json
cat >"$TMP/unique.py" <<'PY'
import json, sys
def pairs(items):
    keys = [k for k, _ in items]
    dup = {k for k in keys if keys.count(k) > 1}
    assert not dup, f"{sys.argv[2]}: key(s) {sorted(dup)} twice"
    return dict(items)
text = open(sys.argv[1]).read()
docs = text.splitlines() if sys.argv[2].endswith("ndjson") else [text]
for d in docs:
    if d.strip():
        json.loads(d, object_pairs_hook=pairs)
PY
unique() {  # WHAT CMD...: CMD's output has unique keys
  local what=$1 status=0
  shift
  "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
  [ "$status" -le 1 ] || fail "$what: exit status $status: $(head -3 "$TMP/err")"
  python3 "$TMP/unique.py" "$TMP/out" "$what" || fail "$what: a JSON object holds a key twice"
}
kvimport -d "$TMP/k.db" "$demo" >/dev/null
for q in $(kvquery --list -o json | python3 -c 'import json, sys; print(" ".join(q["query"] for q in json.load(sys.stdin)))'); do
  params=()
  [ "$q" = pod-endpoints ] && params=(-p pod=indexer-hvx7qvnckz-gsqn5)
  [ "$q" = identity-endpoints ] && params=(-p identity=11460)
  [ "$q" = key-history ] && params=(-p key=cilium/.heartbeat)
  [ "$q" = who-has-ip ] && params=(-p ip=10.0.1.8)
  [ "$q" = node ] && params=(-p name=worker-2)
  [ "$q" = cidr-owner ] && params=(-p cidr=10.0.1.0/24)
  [ "$q" = identity ] && params=(-p id=11648)
  unique "saved query $q" kvquery -d "$TMP/k.db" -o json -q "$q" "${params[@]}"
done
unique "columns of one name" kvquery -d "$TMP/k.db" -o json "SELECT 1 AS a, 2 AS a, 3 AS a_2"
expect_eq "$(kvquery -d "$TMP/k.db" -o json "SELECT 1 AS a, 2 AS a, 3 AS a_2")" '[{"a":1,"a_2":2,"a_2_2":3}]'
unique "ndjson" kvquery -d "$TMP/k.db" -o ndjson "SELECT 1 AS a, 2 AS a"
for f in json sarif; do unique "kvcheck -o $f" kvcheck --now 2025-03-10T08:15:30Z -o "$f" "$demo"; done
unique "kvcheck -o ndjson" kvcheck --now 2025-03-10T08:15:30Z -o ndjson "$demo"
unique "kvcheck --list-checks" kvcheck --list-checks -o json
unique "kvdiff -o json" kvdiff -o json "$FIX/cluster/get-json.txt" "$demo"
unique "kvdiff -o ndjson" kvdiff -o ndjson "$FIX/cluster/get-json.txt" "$demo"
unique "kvimport -o json" kvimport -d "$TMP/k2.db" -o json "$demo"
unique "kvimport --status" kvimport --status -o json "$FIX/etcd-3.4/snapshots/snap1.db"
unique "kvimport --verify" kvimport --verify -o json "$FIX/etcd-3.4/snapshots/snap1.db"
unique "kvimport --list-formats" kvimport --list-formats -o json
unique "kvquery --schema" kvquery -d "$TMP/k.db" --schema -o json
echo "ok"
