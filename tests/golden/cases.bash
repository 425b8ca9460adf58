# Golden-output cases: each function runs one tool from the source root (relative paths keep the
# output stable). The expected output is tests/golden/<name>.out, exit status included;
# tests/golden/update writes them anew (review the diff before committing).
GOLDEN_CASES=(kvquery-table kvquery-csv kvquery-json kvquery-ndjson kvquery-markdown kvquery-blob
              kvdiff-text kvdiff-json kvdiff-markdown kvdiff-summary kvcheck-text kvcheck-markdown kvcheck-junit)
DEMO=fixtures/demo/kvstore.json
NOW=2025-03-10T08:15:30Z
case_kvquery-table() { kvquery -d $DEMO -q nodes; }
case_kvquery-csv() { kvquery -d $DEMO -o csv -q pods-per-node; }
case_kvquery-json() { kvquery -d $DEMO -o json -q identities-per-namespace; }
case_kvquery-ndjson() { kvquery -d $DEMO -o ndjson -q pod-endpoints -p pod=indexer-hvx7qvnckz-gsqn5; }
case_kvquery-markdown() {
  kvquery -d $DEMO -o markdown "SELECT CAST(key AS TEXT) AS key, value, lease FROM kv WHERE layout IN ('heartbeat', 'sync-marker') ORDER BY key"
}
case_kvquery-blob() {  # SQL types kept; a non-UTF-8 value as base64, text BLOBs as text
  kvquery -d fixtures/etcd-3.4/get-json.txt -o json "SELECT CAST(key AS TEXT) AS key, value, length(value) AS n, 1.5 AS r, NULL AS z
    FROM kv WHERE key IN (CAST('/app/binary' AS BLOB), CAST('/app/unicode' AS BLOB), CAST('/app/empty' AS BLOB)) ORDER BY key"
}
case_kvdiff-text() { kvdiff fixtures/cluster/get-json.txt $DEMO; }
case_kvdiff-json() { kvdiff -o json fixtures/cluster/get-json.txt $DEMO; }
case_kvdiff-markdown() { kvdiff -o markdown fixtures/cluster/get-json.txt $DEMO; }
case_kvdiff-summary() { kvdiff --summary fixtures/etcd-3.4/snapshots/snap1.db@12 fixtures/etcd-3.4/snapshots/snap1.db; }
case_kvcheck-text() { kvcheck --now $NOW $DEMO; }
case_kvcheck-markdown() { kvcheck --now $NOW -o markdown $DEMO; }
case_kvcheck-junit() { kvcheck --now $NOW -o junit $DEMO; }

# Runs a case: its output, then its exit status.
run_case() {
  local status=0
  "case_$1" 2>&1 || status=$?
  echo "[exit status $status]"
}
