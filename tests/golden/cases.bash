# Golden-output cases: each function runs one tool from the source root (relative paths keep the
# output stable). The expected output is tests/golden/<name>.out, exit status included;
# tests/golden/update writes them anew (review the diff before committing). Every output format
# of every tool has a case.
DEMO=fixtures/demo/kvstore.json
NOW=2025-03-10T08:15:30Z
GOLDEN_CASES=(kvquery-blob kvdiff-summary kvimport-status kvimport-list-formats kvcheck-list-checks)
GOLDEN_CASES+=(kvquery-who-has-ip kvquery-node kvquery-cidr-owner kvquery-identity)
for f in text csv json ndjson markdown html sarif junit; do
  GOLDEN_CASES+=("kvcheck-$f")
  eval "case_kvcheck-$f() { kvcheck --now \$NOW -o $f \$DEMO; }"
done
for f in text csv json ndjson markdown html; do
  GOLDEN_CASES+=("kvdiff-$f" "kvquery-$f" "kvimport-$f")
  eval "case_kvdiff-$f() { kvdiff -o $f fixtures/cluster/get-json.txt \$DEMO; }"
  # kvimport writes a database: into a scratch folder, named the same every time.
  eval "case_kvimport-$f() { local d; d=\$(mktemp -d); (cd \"\$d\" && kvimport -d k.db -o $f \"\$OLDPWD/fixtures/seed/get-json.txt\" | sed \"s|\$OLDPWD/||g\"); rm -rf \"\$d\"; }"
done
case_kvquery-text() { kvquery -d $DEMO -q nodes; }
case_kvquery-csv() { kvquery -d $DEMO -o csv -q pods-per-node; }
case_kvquery-json() { kvquery -d $DEMO -o json -q identities-per-namespace; }
case_kvquery-ndjson() { kvquery -d $DEMO -o ndjson -q pod-endpoints -p pod=indexer-hvx7qvnckz-gsqn5; }
case_kvquery-markdown() {
  kvquery -d $DEMO -o markdown "SELECT key, value, lease FROM kv_text WHERE layout IN ('heartbeat', 'sync-marker') ORDER BY key"
}
case_kvquery-html() { kvquery -d $DEMO -o html -q largest-label-sets; }
case_kvquery-blob() {  # SQL types kept; a non-UTF-8 value as base64, text BLOBs as text
  kvquery -d fixtures/etcd-3.4/get-json.txt -o json "SELECT CAST(key AS TEXT) AS key, value, length(value) AS n, 1.5 AS r, NULL AS z
    FROM kv WHERE key IN (CAST('/app/binary' AS BLOB), CAST('/app/unicode' AS BLOB), CAST('/app/empty' AS BLOB)) ORDER BY key"
}
# The first questions, on the demo cluster's faults: 10.0.1.8's identity 11460 has no master key,
# worker-0 and worker-2 claim the same pod CIDR, 10.0.9.23 lies outside its node's pod CIDR.
case_kvquery-who-has-ip() {
  kvquery -d $DEMO -q who-has-ip -p ip=10.0.1.8
  kvquery -d $DEMO -q who-has-ip -p ip=10.0.9.23
  kvquery -d $DEMO -q who-has-ip -p ip=10.0.0.10 -o json
  kvquery -d $DEMO -q who-has-ip -p ip=fd00::1 -o csv
}
case_kvquery-node() { kvquery -d $DEMO -q node -p name=worker-1; kvquery -d $DEMO -q node -p name=worker-0 -o json; }
case_kvquery-cidr-owner() {
  kvquery -d $DEMO -q cidr-owner -p cidr=10.0.1.0/24
  kvquery -d $DEMO -q cidr-owner -p cidr=10.0.9.0/24
  kvquery -d $DEMO -q cidr-owner -p cidr=10.0.0.0/16 -o json
}
case_kvquery-identity() {
  kvquery -d $DEMO -q identity -p id=11648
  kvquery -d $DEMO -q identity -p id=11460
  kvquery -d $DEMO -q identity -p id=4 -o csv
}
case_kvdiff-summary() { kvdiff --summary fixtures/etcd-3.4/snapshots/snap1.db@12 fixtures/etcd-3.4/snapshots/snap1.db; }
case_kvimport-status() { kvimport --status fixtures/etcd-3.4/snapshots/snap3-big.db; kvimport --status -o json fixtures/etcd-3.4/snapshots/snap1.db; }
case_kvimport-list-formats() { kvimport --list-formats; kvimport --list-layouts -o csv; }
case_kvcheck-list-checks() { kvcheck --list-checks -o markdown; }

# Runs a case: its output, then its exit status.
run_case() {
  local status=0
  "case_$1" 2>&1 || status=$?
  echo "[exit status $status]"
}
