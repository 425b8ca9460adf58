#!/usr/bin/env bash
# Keys and values holding terminal control bytes (ESC sequences that retitle the terminal or clear
# the screen, BEL, an 8-bit CSI, bytes that are not UTF-8) reach no terminal unescaped: text,
# table and markdown outputs and error messages show them as \xNN, on a pipe and on a TTY, while
# csv, json and ndjson keep the exact bytes in their own encoding.
source "$(dirname "$0")/lib.bash"

# An etcdctl -w json dump (base64 keys: any bytes) with hostile keys under cilium/.
python3 - "$TMP/evil.json" <<'EOF'
import base64, json, sys
def b(x): return base64.b64encode(x).decode()
keys = [
    b"cilium/state/ip/v1/default/10.0.0.1\x1b]0;pwned\x07",      # retitles the terminal
    b"cilium/state/nodes/v1/default/n1\x1b[2J\x1b[H",             # clears the screen
    b"cilium/x\xc2\x9b31m",                                        # C1 CSI, as UTF-8
    b"cilium/y\x9b31m\xff",                                        # 8-bit CSI, not UTF-8
]
kvs = [{"key": b(k), "create_revision": 2, "mod_revision": 2, "version": 1, "value": b(b"{\x1b[5m}")} for k in keys]
json.dump({"header": {"cluster_id": 1, "member_id": 2, "revision": 3, "raft_term": 2}, "kvs": kvs, "count": len(kvs)},
          open(sys.argv[1], "w"))
EOF
# raw FILE: FILE holds a control byte (other than newline and tab) or a byte of a C1 control.
raw() { LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f\x9b]|\xc2[\x80-\x9f]' "$1"; }
check_safe() {  # what
  raw "$TMP/out" && fail "$1: control bytes on stdout: $(head -c 300 "$TMP/out" | od -c | head -5)"
  raw "$TMP/err" && fail "$1: control bytes on stderr: $(head -c 300 "$TMP/err" | od -c | head -5)"
  return 0
}

db=$TMP/k.db
expect_status 0 kvimport -d "$db" "$TMP/evil.json"
check_safe "kvimport report"
kvimport -d "$db" "$TMP/evil.json" -n two >/dev/null
# Two pages that disagree about a key: the error names the key, escaped.
k=$(printf 'cilium/a\x1b]0;x\x07' | base64)
printf '{"header":{"revision":5},"kvs":[{"key":"%s","value":"MQ=="}]}\n{"header":{"revision":6},"kvs":[{"key":"%s","value":"Mg=="}]}\n' \
  "$k" "$k" >"$TMP/pages.json"
expect_status 2 kvimport -d "$db" "$TMP/pages.json"
expect_in "$TMP/err" 'cilium/a\x1b]0;x\x07'
check_safe "kvimport error message"

sel="SELECT CAST(key AS TEXT) AS key, value FROM kv WHERE snapshot_id = 1 ORDER BY key"
expect_status 0 kvquery -d "$db" -o text "$sel"
check_safe "kvquery -o text"
expect_in "$TMP/out" 'cilium/state/ip/v1/default/10.0.0.1\x1b]0;pwned\x07'
expect_in "$TMP/out" 'cilium/x\xc2\x9b31m'
# markdown: the same escapes, their backslashes escaped for markdown.
expect_status 0 kvquery -d "$db" -o markdown "$sel"
check_safe "kvquery -o markdown"
expect_in "$TMP/out" 'cilium/state/ip/v1/default/10.0.0.1\\x1b\]0;pwned\\x07'
# html: the same escapes, inside a page.
expect_status 0 kvquery -d "$db" -o html "$sel"
check_safe "kvquery -o html"
expect_in "$TMP/out" 'cilium/state/ip/v1/default/10.0.0.1\x1b]0;pwned\x07'

expect_status 0 kvquery -d "$db" "SELECT 1 AS \"col$(printf '\x1b')[2J\""
check_safe "kvquery column name"
for o in text markdown; do
  expect_status 1 kvcheck -d "$db" -o "$o" --now 2025-03-10T08:15:00Z
  check_safe "kvcheck -o $o"
  expect_status 0 kvdiff -d "$db" -o "$o" 1 two
  check_safe "kvdiff -o $o"
done
expect_status 2 kvquery -d "$db" "SELECT * FROM \"no$(printf '\x07')such\""
check_safe "kvquery error"

# The exact bytes where a format encodes them: json and ndjson escape, csv keeps them as they are.
expect_status 0 kvquery -d "$db" -o json "SELECT hex(key) AS h, CAST(key AS TEXT) AS key FROM kv WHERE snapshot_id = 1 AND key < X'63696c69756d2f79'"
python3 - "$TMP/out" <<'EOF' || fail "json output does not hold the exact key bytes"
import json, sys
for row in json.load(open(sys.argv[1])):
    assert row["key"].encode() == bytes.fromhex(row["h"]), row
EOF
expect_status 0 kvquery -d "$db" -o csv "SELECT CAST(key AS TEXT) FROM kv WHERE snapshot_id = 1 AND CAST(key AS TEXT) LIKE '%pwned%'"
LC_ALL=C grep -q $'\x1b]0;pwned\x07' "$TMP/out" || fail "csv lost the bytes of the key"
expect_status 1 kvcheck -d "$db" -o json --now 2025-03-10T08:15:00Z
expect_in "$TMP/out" 'cilium/state/nodes/v1/default/n1\u001b[2J\u001b[H'

# On a terminal: the same, through a pseudo-terminal.
script -qec "kvcheck -d '$db' --now 2025-03-10T08:15:00Z; kvquery -d '$db' \"$sel\"" /dev/null >"$TMP/tty" 2>&1 || true
# Colour is kvcheck's own on a terminal: only its palette's codes are allowed through.
tr -d '\r' <"$TMP/tty" | sed -E 's/\x1b\[(1|1;3[1-6]|0)m//g' >"$TMP/out"
: >"$TMP/err"
grep -q 'pwned' "$TMP/out" || fail "the TTY run printed nothing useful: $(head -c 300 "$TMP/out")"
check_safe "kvcheck and kvquery on a TTY"
