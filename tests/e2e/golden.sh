#!/usr/bin/env bash
# Golden outputs of every output format of kvquery, kvdiff and kvcheck (tests/golden/cases.bash).
source "$(dirname "$0")/lib.bash"
cd "$SRC"
source tests/golden/cases.bash
failed=0
for c in "${GOLDEN_CASES[@]}"; do
  run_case "$c" >"$TMP/$c.out"
  if ! diff -u "tests/golden/$c.out" "$TMP/$c.out" >"$TMP/$c.diff"; then
    echo "golden output differs: $c (tests/golden/update rewrites them)" >&2
    head -40 "$TMP/$c.diff" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || fail "golden outputs differ"
echo "ok"
