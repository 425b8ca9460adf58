#!/usr/bin/env bash
# kvcheck's interface: every output format (SARIF validated against the 2.1.0 schema), exit
# statuses and --fail-on, --check/--skip, --list-checks, --checks-dir, --save, the reference time.
source "$(dirname "$0")/lib.bash"
demo=$FIX/demo/kvstore.json
NOW=(--now 2025-03-10T08:15:30Z)

expect_status 1 kvcheck "${NOW[@]}" "$demo"
expect_in "$TMP/out" "reference time: 2025-03-10T08:15:30Z (from --now)"
expect_in "$TMP/out" "result:         7 errors, 1 warning, 0 info from 29 checks; exit status 1: findings at or above"
# The summary first: the counts per check before any finding, then one block per check with its
# cause and action said once, its findings after them.
python3 - "$TMP/out" <<'PY'
import sys
text = open(sys.argv[1]).read()
counts, overlap, ipmissing = text.index("findings per check (5)"), text.index("ERROR node-cidr-overlap:"), text.index("ERROR ip-identity-missing:")
assert counts < ipmissing < overlap, (counts, ipmissing, overlap)
block = text[ipmissing:overlap]
assert block.count("cause:") == 1 and block.count("action:") == 1, block
assert block.index("action:") < block.index("- 10.0.1.8 points at identity 11460"), block
assert "\033[" not in text, "colour on a pipe"
PY
# A finding with many keys: a few, then how many more; --all lists them all.
expect_status 1 kvcheck "${NOW[@]}" --check identity-slave-orphan "$demo"
expect_in "$TMP/out" "cilium/state/identities/v1/value/"
expect_eq "$(grep -c "^      cilium/state/identities/v1/value/" "$TMP/out")" 3
kvgen --nodes 8 --identities 1 --pods-per-node 1 --services 0 --seed 3 -o cilium-json >"$TMP/eight.json"
python3 - "$TMP/eight.json" <<'PY'
import base64, collections, json, sys
d = json.load(open(sys.argv[1]))
# The identity with the most slave keys (one per node using it) loses its master key.
users = collections.Counter(base64.b64decode(v["Data"]).decode() for k, v in d.items()
                            if k.startswith("cilium/state/identities/v1/value/"))
ident, n = users.most_common(1)[0]
assert n == 8, users
del d["cilium/state/identities/v1/id/" + ident]
json.dump(d, open(sys.argv[1], "w"))
PY
expect_status 1 kvcheck "${NOW[@]}" --check identity-slave-orphan "$TMP/eight.json"
expect_in "$TMP/out" "... and 5 more (--all lists all)"
expect_status 1 kvcheck "${NOW[@]}" --check identity-slave-orphan --all "$TMP/eight.json"
expect_eq "$(grep -c "^      cilium/state/identities/v1/value/" "$TMP/out")" 8
# Colour: only when asked (on a TTY by default), never with NO_COLOR.
expect_status 1 kvcheck "${NOW[@]}" --color always "$demo"
grep -q $'\033\[1;31mERROR node-cidr-overlap' "$TMP/out" || fail "--color always gave no colour"
script -qec "kvcheck ${NOW[*]} $demo" /dev/null >"$TMP/tty" 2>&1 || true
grep -q $'\033\[1;31m' "$TMP/tty" || fail "no colour on a terminal"
NO_COLOR=1 script -qec "kvcheck ${NOW[*]} $demo" /dev/null >"$TMP/tty" 2>&1 || true
grep -q $'\033\[' "$TMP/tty" && fail "colour on a terminal with NO_COLOR set"
expect_status 2 kvcheck --color sometimes "$demo"
expect_in "$TMP/err" "--color must be auto, always or never"
# The terminal's width: paragraphs wrap to it.
COLUMNS=60 kvcheck "${NOW[@]}" --check node-cidr-overlap "$demo" >"$TMP/narrow" || true
python3 - "$TMP/narrow" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("  cause") or l.startswith("  meaning") or l.startswith("           ")]
assert lines and max(len(l) for l in lines) <= 60, lines
PY
expect_status 0 kvcheck "${NOW[@]}" --fail-on never "$demo"
expect_status 1 kvcheck "${NOW[@]}" --fail-on warning --check ip-outside-node-cidr "$demo"
expect_status 0 kvcheck "${NOW[@]}" --check ip-outside-node-cidr "$demo"   # a warning only
expect_status 0 kvcheck "${NOW[@]}" --skip identity-slave-orphan --skip ip-identity-missing --skip node-cidr-overlap \
  --skip node-ip-duplicate "$demo"
expect_status 0 kvcheck "$FIX/cluster/get-json.txt"

# JSON: the documented shape, stable order.
expect_status 1 kvcheck "${NOW[@]}" -o json "$demo"
cp "$TMP/out" "$TMP/a.json"
expect_status 1 kvcheck "${NOW[@]}" -o json "$demo"
cmp -s "$TMP/out" "$TMP/a.json" || fail "two runs gave different JSON"
python3 - "$TMP/a.json" <<'PY'
import json, sys, kvdoc
d = json.load(open(sys.argv[1]))
assert set(d) >= {"tool", "snapshot", "context", "summary", "sections"}, d.keys()
assert d["summary"]["error"] == 7 and d["summary"]["warning"] == 1 and d["summary"]["info"] == 0, d["summary"]
assert d["snapshot"]["name"] == "kvstore.json" and d["snapshot"]["keys"] == 156, d["snapshot"]
findings = kvdoc.rows(d, "check/")
assert len(findings) == 8, findings
for f in findings:
    assert set(f) == {"check", "severity", "message", "keys", "details"}, f
    assert f["keys"] and all(k.startswith("cilium/") for k in f["keys"]), f
assert [f["severity"] for f in findings] == sorted((f["severity"] for f in findings), key=["error", "warning", "info"].index)
overlap = kvdoc.section(d, "check/node-cidr-overlap")
assert overlap["notes"]["cause"] and overlap["notes"]["action"], overlap
assert overlap["rows"][0]["details"]["cidr"] == "10.0.1.0/24", overlap
assert kvdoc.section(d, "counts")["rows"][0] == {"severity": "error", "check": "identity-slave-orphan", "findings": 1,
                                                 "title": "Identity reference without its master key"}
assert d["context"]["cluster_name"] == "default" and d["context"]["cluster_id"] == 0, d["context"]
PY
# csv and ndjson: the findings, one a row.
expect_status 1 kvcheck "${NOW[@]}" -o ndjson "$demo"
expect_eq "$(wc -l <"$TMP/out")" 8
expect_status 1 kvcheck "${NOW[@]}" -o csv "$demo"
expect_eq "$(head -1 "$TMP/out" | tr -d '\r')" "check,severity,message,keys,details"

# SARIF 2.1.0, validated against the schema of @microsoft/sarif-multitool-linux (scripts/setup).
schema=$SRC/.cache/sarif/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
[ -f "$schema" ] || fail "SARIF schema missing: run scripts/setup ($schema)"
py=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || fail "no python3 with jsonschema (scripts/setup installs python3-jsonschema)"
for input in "$demo" "$FIX/cluster/get-json.txt"; do
  kvcheck "${NOW[@]}" -o sarif "$input" >"$TMP/out.sarif" || true
  "$py" - "$schema" "$TMP/out.sarif" <<'PY'
import json, sys, jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema, cls=jsonschema.Draft7Validator)
run = doc["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert len(rules) >= 30 and len(set(rules)) == len(rules)
for res in run["results"]:
    assert rules[res["ruleIndex"]] == res["ruleId"], res
    assert res["level"] in ("error", "warning", "note")
PY
done
"$py" - "$schema" <<'PY'
import json, sys, jsonschema
# The validation can fail: a document without the required "version" is rejected.
schema = json.load(open(sys.argv[1]))
try:
    jsonschema.validate({"runs": []}, schema, cls=jsonschema.Draft7Validator)
    raise SystemExit("schema accepted an invalid SARIF document")
except jsonschema.ValidationError:
    pass
PY

# JUnit XML: one testcase per check, a failure per check with findings at or above --fail-on.
expect_status 1 kvcheck "${NOW[@]}" -o junit "$demo"
python3 - "$TMP/out" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall(".//testcase")
failed = sorted(c.get("name") for c in cases if c.find("failure") is not None)
assert failed == ["identity-slave-orphan", "ip-identity-missing", "node-cidr-overlap", "node-ip-duplicate"], failed
assert int(root.get("failures")) == 4 and int(root.get("tests")) == len(cases) >= 30
assert sum(1 for c in cases if c.find("skipped") is not None) == int(root.get("skipped")) == 7  # lease table, no baseline
PY

expect_status 1 kvcheck "${NOW[@]}" -o markdown "$demo"
expect_in "$TMP/out" '## kvcheck: snapshot 1 "kvstore.json"'
expect_in "$TMP/out" "### ERROR node-cidr-overlap: Pod CIDRs of two nodes overlap (1)"
expect_in "$TMP/out" '**action:** '

# --list-checks: every check explains itself.
expect_status 0 kvcheck --list-checks -o json
python3 - "$TMP/out" <<'PY'
import json, sys
checks = json.load(open(sys.argv[1]))
assert isinstance(checks, list) and len(checks) >= 30, len(checks)
for c in checks:
    for k in ("id", "severity", "title", "meaning", "cause", "action"):
        assert c[k], (c["id"], k)
PY
expect_status 0 kvcheck --list-checks
expect_in "$TMP/out" "node-cidr-overlap (error)"

# A user check from --checks-dir, and a broken one named by file and line.
mkdir -p "$TMP/checks" "$TMP/bad"
cat >"$TMP/checks/big-namespace.sql" <<'SQL'
-- id: big-namespace
-- severity: info
-- title: Namespaces with many identities
-- meaning: more than 2 identities in one namespace
-- cause: many distinct label sets
-- action: none
SELECT printf('namespace %s has %d identities', namespace, count(*)) AS message, json_group_array(id) AS details
FROM identity WHERE snapshot_id = :snapshot GROUP BY namespace HAVING count(*) > 2
SQL
expect_status 0 kvcheck --checks-dir "$TMP/checks" --check big-namespace -o json "$FIX/cluster/get-json.txt"
expect_in "$TMP/out" '"check":"big-namespace"'
printf -- '-- id: x\n-- severity: fatal\n-- title: t\nSELECT 1 AS message\n' >"$TMP/bad/x.sql"
expect_status 2 kvcheck --checks-dir "$TMP/bad" "$FIX/cluster/get-json.txt"
expect_in "$TMP/err" "x.sql: line 2: severity 'fatal' is not error, warning or info"

# A database: newest snapshot by default, -s by name, --save into the finding table.
db=$TMP/k.db
kvimport -d "$db" "$FIX/cluster/get-json.txt" >/dev/null
kvimport -d "$db" "$demo" >/dev/null
expect_status 1 kvcheck -d "$db" "${NOW[@]}" --save
expect_eq "$(q "$db" "SELECT count(*) || ' ' || count(DISTINCT check_id) FROM finding WHERE snapshot_id = 2")" "8 5"
expect_status 0 kvcheck -d "$db" -s get-json.txt
expect_status 2 kvcheck -d "$db" -s nope
expect_in "$TMP/err" "no snapshot 'nope'"

# The reference time: a sysdump's name carries its capture time.
expect_status 0 kvcheck -o json "$FIX/cluster/cilium-sysdump-20250310-081500.zip"
expect_in "$TMP/out" '"reference_time":"2025-03-10T08:15:00Z"'
expect_status 1 kvcheck -o json --now 2025-03-10T09:15:00Z "$FIX/cluster/cilium-sysdump-20250310-081500.zip"
expect_in "$TMP/out" '"check":"heartbeat-stale"'

# Usage errors.
expect_status 2 kvcheck --check no-such-check "$demo"
expect_status 2 kvcheck --now yesterday "$demo"
expect_status 2 kvcheck -d "$db" "$demo"
expect_status 2 kvcheck -d "$TMP/none.db"
expect_status 2 kvcheck -o yaml "$demo"
expect_in "$TMP/err" "-o yaml: not a format of this output; use one of text, csv, json, ndjson, markdown, html, sarif, junit"
# Impossible context values are refused before any work, saying what is possible.
expect_status 2 kvcheck --cluster-id 256 "$demo"
expect_in "$TMP/err" "--cluster-id 256: cluster IDs are 0 to 255 (0 to 511 with --max-connected-clusters 511)"
expect_status 2 kvcheck --cluster-id -1 "$demo"
expect_in "$TMP/err" "--cluster-id -1: cluster IDs are 0 to 255"
expect_status 2 kvcheck --cluster-id 512 --max-connected-clusters 511 "$demo"
expect_in "$TMP/err" "--cluster-id 512: cluster IDs are 0 to 511"
kvcheck --cluster-id 300 --max-connected-clusters 511 -o json --fail-on never "$demo" >"$TMP/out" ||
  fail "--cluster-id 300 with --max-connected-clusters 511 is valid"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["context"]; assert c["cluster_id"] == 300 and c["identity_range"] == [300 << 15, (301 << 15) - 1], c' "$TMP/out"
expect_status 2 kvcheck --max-connected-clusters 256 "$demo"
expect_in "$TMP/err" "--max-connected-clusters 256: Cilium accepts 255 or 511"
expect_status 2 kvcheck --cluster-name '' "$demo"
expect_in "$TMP/err" "--cluster-name '': not a cluster name"
expect_status 2 kvcheck --cluster-name 'a/b' "$demo"
expect_status 2 kvcheck --baseline "$TMP/none.json" "$demo"
expect_in "$TMP/err" "--baseline $TMP/none.json: no such file"
expect_status 2 kvcheck -d "$db" --baseline 1 -s 1
expect_in "$TMP/err" "--baseline names the snapshot being checked"
expect_status 0 kvcheck --list-checks -o markdown
expect_in "$TMP/out" "node-cidr-overlap (error): Pod CIDRs of two nodes overlap"
expect_status 0 kvcheck --help
expect_in "$TMP/out" "Exit status: 0 no finding"
echo "ok"
