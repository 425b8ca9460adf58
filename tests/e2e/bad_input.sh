#!/usr/bin/env bash
# Damaged inputs: exit status 2 with the file and the place named, or a decode_error row; a
# failed import leaves the database exactly as it was.
source "$(dirname "$0")/lib.bash"
db=$TMP/k.db
kvimport -d "$db" "$FIX/etcd-3.4/get-json.txt" >/dev/null
before=$(sha256sum "$db")

check_rejected() {  # FILE EXPECTED-MESSAGE
  expect_status 2 kvimport -d "$db" "$1"
  expect_in "$TMP/err" "$2"
  expect_eq "$(sha256sum "$db")" "$before" "database changed by a failed import of $1"
}

: >"$TMP/empty.json"
check_rejected "$TMP/empty.json" "empty.json: byte 0: empty input"

head -c 300 "$FIX/etcd-3.4/get-json.txt" >"$TMP/truncated.json"
check_rejected "$TMP/truncated.json" "truncated.json: byte 300: truncated etcdctl -w json output"

printf 'cilium/a\nvalue\ncilium/b\n' >"$TMP/novalue.txt"
check_rejected "$TMP/novalue.txt" "novalue.txt: line 3: key line without its value line"

sed 's/"L2FwcC9jb25maWc="/"L2FwcC9jb25maWc*"/' "$FIX/etcd-3.4/get-json.txt" >"$TMP/badb64.json"
check_rejected "$TMP/badb64.json" "badb64.json: byte 238: invalid etcdctl -w json output: kvs[].key is not valid base64"

printf '\xff\xfe\x00garbage' >"$TMP/binary.bin"
check_rejected "$TMP/binary.bin" "binary.bin: byte 0: this looks like binary data, not a format kvimport knows"

printf '{"cilium/a":{"Data":"YQ==",' | gzip >"$TMP/cut.json.gz"
check_rejected "$TMP/cut.json.gz" "truncated"

head -c 200 "$FIX/etcd-3.4/get-json.txt" | zstd -q >"$TMP/full.zst"
head -c 40 "$TMP/full.zst" >"$TMP/cut.zst"
check_rejected "$TMP/cut.zst" "cut.zst"

# A failing input among several: none of them is imported.
expect_status 2 kvimport -d "$db" "$FIX/etcd-3.4/get-fields.txt" "$TMP/empty.json"
expect_eq "$(sha256sum "$db")" "$before" "database changed when the second of two inputs failed"

# A failed import into a new database leaves no file behind.
expect_status 2 kvimport -d "$TMP/new.db" "$TMP/empty.json"
[ ! -e "$TMP/new.db" ] || fail "a failed import left $TMP/new.db behind"

# Values that are not what their key layout expects: kept in kv, reported in decode_error.
python3 - "$TMP/decode.json" <<'PY'
import base64, json, sys
def b(s): return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()
kvs = [
  ("cilium/state/ip/v1/default/10.0.0.1", '{"IP":"10.0.0.1","ID":'),          # not JSON
  ("cilium/state/nodes/v1/default/n1", '[1,2]'),                             # JSON, wrong shape
  ("cilium/state/identities/v1/id/300", b"k8s:app=\xff\xfe;"),               # not UTF-8
  ("cilium/state/identities/v1/value/k8s:a=b;/10.0.0.1", "x"),                # not a number
]
doc = {"header": {"revision": 9}, "kvs": [{"key": b(k), "value": b(v), "create_revision": 2, "mod_revision": 2, "version": 1} for k, v in kvs]}
open(sys.argv[1], "w").write(json.dumps(doc, separators=(",", ":")) + "\n")
PY
expect_status 0 kvimport -d "$db" -o json "$TMP/decode.json"
expect_in "$TMP/out" '"decode_errors":4'
expect_eq "$(q "$db" "SELECT count(*) FROM kv k JOIN snapshot s ON s.id = k.snapshot_id WHERE s.name = 'decode.json'")" 4
expect_eq "$(q "$db" "SELECT hex(value) FROM kv WHERE key = CAST('cilium/state/identities/v1/id/300' AS BLOB)")" \
  "6B38733A6170703DFFFE3B" "non-UTF-8 bytes kept"
expect_eq "$(q "$db" "SELECT error FROM decode_error_text WHERE key LIKE '%id/300'")" "label string is not valid UTF-8"

# A 100 MB value: kept byte for byte.
python3 - "$TMP/big.json" <<'PY'
import base64, sys
v = base64.b64encode(b"x" * (100 * 1024 * 1024)).decode()
k = base64.b64encode(b"/big/value").decode()
open(sys.argv[1], "w").write('{"header":{"revision":3},"kvs":[{"key":"%s","create_revision":2,"mod_revision":2,"version":1,"value":"%s"}],"count":1}\n' % (k, v))
PY
expect_status 0 kvimport -d "$db" "$TMP/big.json"
expect_eq "$(q "$db" "SELECT length(value), substr(value, 1, 3) FROM kv WHERE key = CAST('/big/value' AS BLOB)")" "104857600|xxx"
echo "ok"
