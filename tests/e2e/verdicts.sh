#!/usr/bin/env bash
# A verdict never lies, tried the way a support engineer meets it: the wrong file from the same
# bundle is refused and named, a file without Cilium keys gets "nothing to check" (exit 3), never
# "0 errors", and a copied snapshot is not judged by its copy's modification time.
source "$(dirname "$0")/lib.bash"
SD=$FIX/cluster/sysdump

# The wrong file from the same sysdump: its ConfigMap YAML. Refused, named, and the way to force it.
expect_status 2 kvimport -d "$TMP/k.db" "$SD/cilium-configmap-20250310-081500.yaml"
expect_in "$TMP/err" "cilium-configmap-20250310-081500.yaml: byte 0: this looks like a Kubernetes object in YAML (kind: ConfigMap, name: cilium-config), not a kvstore dump"
expect_in "$TMP/err" "--format etcd-simple"
[ ! -e "$TMP/k.db" ] || fail "a refused import left $TMP/k.db"
expect_status 2 kvcheck "$SD/cilium-configmap-20250310-081500.yaml"
expect_in "$TMP/err" "Kubernetes object in YAML"

# Any text file: /etc/passwd, a README, plain YAML, JSON that is not a dump, cilium's error output.
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$TMP/passwd"
expect_status 2 kvimport -d "$TMP/k.db" "$TMP/passwd"
expect_in "$TMP/err" "plain text whose first line is not a key under cilium/"
expect_status 2 kvcheck "$SRC/README.md"
expect_in "$TMP/err" "README.md: byte 0: this looks like plain text"
printf '# settings\nfoo: 1\nbar:\n  - x\n' >"$TMP/settings.yaml"
expect_status 2 kvimport -d "$TMP/k.db" "$TMP/settings.yaml"
expect_in "$TMP/err" "this looks like YAML, not a kvstore dump"
printf '{"apiVersion":"v1","kind":"ConfigMap","data":{}}' >"$TMP/cm.json"
expect_status 2 kvimport -d "$TMP/k.db" "$TMP/cm.json"
expect_in "$TMP/err" "a Kubernetes object in JSON"
printf 'command terminated with exit code 1\n' >"$TMP/kvstore-ips.json"
expect_status 2 kvimport -d "$TMP/k.db" "$TMP/kvstore-ips.json"
expect_in "$TMP/err" "the error output of kubectl exec, not a dump"
printf 'level=fatal msg="Unable to connect to kvstore"\n' >"$TMP/cilium.err"
expect_status 2 kvimport -d "$TMP/k.db" "$TMP/cilium.err"
expect_in "$TMP/err" "log lines (cilium's stderr), not a dump"
[ ! -e "$TMP/k.db" ] || fail "refused imports left $TMP/k.db"

# An etcdctl simple dump of keys outside cilium/ is read when the user says so.
expect_status 2 kvimport -d "$TMP/k.db" "$FIX/etcd-3.4/get-simple.txt"
expect_in "$TMP/err" "a dump of etcd keys outside cilium/"
expect_status 0 kvimport -d "$TMP/k.db" --format etcd-simple "$FIX/etcd-3.4/get-simple.txt"
expect_status 0 kvimport -d "$TMP/k.db" -n by-prefix --prefix / "$FIX/etcd-3.4/get-simple.txt"
# A Cilium simple dump is still detected, also when other etcd keys come first.
kvgen --nodes 1 --identities 2 --pods-per-node 2 --services 1 -o cilium-text >/dev/null  # the generator works
printf '/other/key\nv\ncilium/.heartbeat\n2025-03-10T08:15:00Z\n' >"$TMP/mixed.txt"
expect_status 0 kvimport -d "$TMP/k.db" "$TMP/mixed.txt"
expect_eq "$(q "$TMP/k.db" "SELECT format || ' ' || key_count FROM snapshot WHERE name = 'mixed.txt'")" "etcd-simple 2"

# Valid dumps without a Cilium key import, and every tool says so instead of giving a verdict.
expect_status 0 kvimport -d "$TMP/n.db" "$FIX/etcd-3.4/get-json.txt"
expect_in "$TMP/out" "no Cilium keys (nothing under cilium/): kvcheck has nothing to check in it"
for input in "$FIX/etcd-3.4/get-json.txt" "$FIX/etcd-3.4/snapshots/snap1.db"; do
  expect_status 3 kvcheck "$input"
  expect_in "$TMP/out" "no Cilium keys: nothing to check"
  grep -q "0 errors" "$TMP/out" && fail "kvcheck said '0 errors' on $input"
  expect_status 3 kvcheck -o json "$input"
  expect_eq "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["verdict"], s["exit_status"], s["checks_run"])' "$TMP/out")" \
    "nothing-to-check 3 0"
  expect_status 3 kvcheck -o sarif "$input"
  expect_eq "$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]; print(i["executionSuccessful"], i["toolExecutionNotifications"][0]["message"]["text"][:32])' "$TMP/out")" \
    "False no Cilium keys: nothing to check"
  expect_status 3 kvcheck -o junit "$input"
  python3 - "$TMP/out" <<'EOF' || fail "junit of a snapshot without Cilium keys does not report an error"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("errors") == "1" and suite.find("testcase/error") is not None
EOF
  expect_status 3 kvcheck -o markdown "$input"
  expect_in "$TMP/out" "| result | no Cilium keys: nothing to check"
done
# kvdiff and kvquery say it too.
expect_status 1 kvdiff "$FIX/etcd-3.4/get-json.txt" "$FIX/cluster/get-json.txt"
expect_in "$TMP/err" "kvdiff: note: snapshot 1 \"$FIX/etcd-3.4/get-json.txt\" holds no Cilium keys (12 keys, none under cilium/)"
expect_status 0 kvquery -d "$TMP/n.db" "SELECT count(*) FROM kv"
expect_in "$TMP/err" "kvquery: note: snapshot 1 \"get-json.txt\" holds no Cilium keys"
# --fail-on never does not turn it into a pass.
expect_status 3 kvcheck --fail-on never "$FIX/etcd-3.4/get-json.txt"

# A sysdump whose kvstore files are all empty (cilium-cli's exec failed for each): no verdict,
# the sysdump is refused with each file named (tests/e2e/sysdump.sh: the other failed forms).
mkdir -p "$TMP/cilium-sysdump-20250310-081500"
cp "$SD/cilium-configmap-20250310-081500.yaml" "$TMP/cilium-sysdump-20250310-081500/"
for f in "$SD"/kvstore-*.json; do : >"$TMP/cilium-sysdump-20250310-081500/$(basename "$f")"; done
expect_status 2 kvcheck "$TMP/cilium-sysdump-20250310-081500"
expect_in "$TMP/err" "no kvstore data in this sysdump"
(cd "$TMP" && zip -qr empty-sysdump.zip cilium-sysdump-20250310-081500)
expect_status 2 kvimport -d "$TMP/e.db" "$TMP/empty-sysdump.zip"
expect_in "$TMP/err" "cilium-sysdump-20250310-081500/kvstore-ips.json is empty"

# A copied etcd snapshot: the copy's modification time is not the capture time. The heartbeat in
# it is from 2025; the copy is made now.
cp "$FIX/checks/lease-dangling.db" "$TMP/copy.db"
touch "$TMP/copy.db"
expect_status 0 kvcheck --check heartbeat-stale "$TMP/copy.db"
expect_in "$TMP/out" "reference time: at least 2025-03-10T08:15:00Z (a lower bound: the newest time the data holds (cilium/.heartbeat)"
grep -q "heartbeat-stale" "$TMP/out" && fail "a copied snapshot's heartbeat judged stale"
expect_status 0 kvcheck -o json --check heartbeat-stale "$TMP/copy.db"
expect_eq "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["context"]; print(c["reference_time"], c["reference_time_is_lower_bound"])' "$TMP/out")" \
  "2025-03-10T08:15:00Z True"
# Only when asked, and then said plainly.
expect_status 1 kvcheck --now file-mtime --check heartbeat-stale "$TMP/copy.db"
expect_in "$TMP/out" "(the file modification time of $TMP/copy.db (--now file-mtime), which changes when the file is copied)"
expect_in "$TMP/out" "heartbeat is "
expect_status 2 kvcheck --now file-mtime - <"$FIX/cluster/get-json.txt"
expect_in "$TMP/err" "--now file-mtime: snapshot stdin was not read from a file"
expect_status 2 kvcheck --now yesterday "$TMP/copy.db"
expect_in "$TMP/err" "is neither an RFC 3339 time"

# A lower bound still proves staleness: a sync canary written an hour after the heartbeat.
hb=$(printf '2025-03-10T08:00:00Z' | base64)
canary=$(printf '2025-03-10T09:00:00Z' | base64)
cat >"$TMP/stale.json" <<EOF
{"cilium/.heartbeat":{"Data":"$hb","ModRevision":1,"LeaseID":0},
 "cilium/synced/default/cilium/state/nodes/v1":{"Data":"$canary","ModRevision":2,"LeaseID":0}}
EOF
expect_status 1 kvcheck --check heartbeat-stale "$TMP/stale.json"
expect_in "$TMP/out" "heartbeat is at least 1.0 hours old"
# Without any time in the data or the input, the age check is skipped and says why.
printf '{"cilium/state/nodes/v1/default/n1":{"Data":"e30=","ModRevision":1,"LeaseID":0}}' >"$TMP/notime.json"
expect_status 0 kvcheck --check heartbeat-stale "$TMP/notime.json"
expect_in "$TMP/out" "heartbeat-stale  no reference time: the input states no capture time and its data holds none; pass --now"
expect_in "$TMP/out" "age checks are skipped"

# A sysdump's name is local time of an unknown zone: the report says what it is worth.
expect_status 0 kvcheck --check heartbeat-stale "$FIX/cluster/cilium-sysdump-20250310-081500.zip"
expect_in "$TMP/out" "the sysdump's name (2025-03-10T08:15:00 in the unknown time zone of the machine that ran it"
expect_status 0 kvimport -d "$TMP/sd.db" "$FIX/cluster/cilium-sysdump-20250310-081500.zip"
expect_eq "$(q "$TMP/sd.db" "SELECT captured_at FROM snapshot")" "2025-03-10T08:15:00"
