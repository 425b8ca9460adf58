# Sourced by every end-to-end test: strict mode, paths, a scratch folder, assertions.
set -euo pipefail
BIN=${KVSNAP_BIN:?run through ctest (KVSNAP_BIN)}
SRC=${KVSNAP_SRC:?run through ctest (KVSNAP_SRC)}
FIX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export PATH="$BIN:$BIN/bench:$PATH"  # bench/kvgen makes the test clusters
export PYTHONPATH="$SRC/tests/e2e${PYTHONPATH:+:$PYTHONPATH}"  # kvdoc.py: reading JSON reports

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_status N CMD...: runs CMD, captures stdout/stderr in $TMP/out and $TMP/err.
expect_status() {
  local want=$1
  shift
  local got=0
  "$@" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "--- stdout" >&2
    head -c 2000 "$TMP/out" >&2
    echo "--- stderr" >&2
    head -c 2000 "$TMP/err" >&2
    fail "exit status $got, expected $want: $*"
  fi
}

# expect_in FILE TEXT: FILE contains TEXT.
expect_in() {
  grep -qF -- "$2" "$1" || {
    echo "--- $1:" >&2
    head -c 2000 "$1" >&2
    fail "expected '$2' in $1"
  }
}

q() { sqlite3 "$1" "$2"; }

expect_eq() {
  [ "$1" == "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"
}
