#!/usr/bin/env bash
# Every kvcheck check fires on its fixture in fixtures/checks/ (the healthy cluster plus one
# mutation made with a real etcd by scripts/make-check-fixtures) and names exactly the keys of the fault (<id>.keys);
# the healthy cluster fixtures/cluster/get-json.txt gives no finding of any check; the exit
# status follows --fail-on. The checks come from `kvcheck --list-checks -o json`, so a new check
# without a fixture fails this test.
source "$(dirname "$0")/lib.bash"
CF=$FIX/checks
healthy_now=2025-03-10T08:16:00Z  # one minute after the healthy heartbeat (2025-03-10T08:15:00Z)
stale_now=2025-03-10T10:15:00Z    # two hours after it

# Checks that have no fixture, and why. Listed here so that none is skipped silently.
declare -A no_fixture=(
  [lease-missing]="a real etcd never holds a key whose lease is missing from its lease table: a put with an unknown lease fails (requested lease not found) and revoking or expiring a lease deletes its keys in the same backend transaction; only a hand-edited db would do (fixtures/checks/README.md); tests/unit/checks_test.cpp shows the check on a real snapshot whose lease row is then removed"
)
# Checks whose findings name no key by design.
declare -A keyless=(
  [heartbeat-missing]="the key that is missing is the finding"
  [lease-dangling]="a lease no key is attached to"
)
# kvcheck arguments per fixture; every other fixture runs with the healthy reference time, so that
# heartbeat-stale runs on it too and must stay silent. A fixture <id>.old.json is the earlier state
# of a pair: the check compares the two (--baseline). heartbeat-not-advancing runs without --now:
# its later snapshot's own data (a sync canary rewritten at 08:20) says time has passed.
declare -A args=([heartbeat-stale]="--now $stale_now" [heartbeat-not-advancing]="")

expect_status 0 kvcheck --list-checks -o json
mapfile -t checks < <(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["id"])' "$TMP/out")
[ "${#checks[@]}" -ge 30 ] || fail "kvcheck --list-checks lists ${#checks[@]} checks"
declare -A known=()
for id in "${checks[@]}"; do known[$id]=1; done
for id in "${!no_fixture[@]}"; do
  [ -n "${known[$id]:-}" ] || fail "no_fixture names $id, which is no check"
done

# The healthy cluster: no finding at all, and every check runs but the two that need a lease table.
expect_status 0 kvcheck -o json --now "$healthy_now" "$FIX/cluster/get-json.txt"
python3 - "$TMP/out" "${#checks[@]}" <<'PY'
import json, sys, kvdoc
r = json.load(open(sys.argv[1]))
findings = kvdoc.rows(r, "check/")
assert findings == [], [(f["check"], f["message"]) for f in findings]
# Skipped: the two that need a lease table, and those that compare with an earlier snapshot.
skipped = sorted(s["check"] for s in kvdoc.section(r, "skipped")["rows"])
history = ["heartbeat-not-advancing", "identity-slaves-lost", "ip-identity-deleted", "lock-stuck", "node-cidr-moved"]
assert skipped == sorted(["lease-dangling", "lease-missing"] + history), skipped
assert r["summary"]["checks_run"] == int(sys.argv[2]) - 2 - len(history), r["summary"]
assert r["summary"]["exit_status"] == 0, r["summary"]
PY

# verify.py REPORT FIXTURE CHECK KEYLESS [KEYS]: the report has a finding of CHECK (which was not
# skipped), with keys unless KEYLESS, every key of a json fixture being a key of that dump; the
# keys of all of CHECK's findings together are exactly the lines of KEYS (<id>.keys: every key
# of the fault, worked out by scripts/make-check-fixtures from the mutation it made); prints
# the exit status --fail-on error must give (1 when any finding is an error) and whether there
# is a finding at all.
cat >"$TMP/verify.py" <<'PY'
import base64, json, sys, kvdoc
report, fixture, check, keyless = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
want_keys = open(sys.argv[5]).read().splitlines() if len(sys.argv) > 5 else None
r = json.load(open(report))
skipped = kvdoc.section(r, "skipped")["rows"]
assert check not in [s["check"] for s in skipped], f"{check} was skipped: {skipped}"
findings = kvdoc.rows(r, "check/")
mine = [f for f in findings if f["check"] == check]
assert mine, f"{fixture}: no {check} finding; findings: {[(f['check'], f['message']) for f in findings]}"
present = None
if fixture.endswith(".json"):
    present = {base64.b64decode(kv["key"]).decode() for kv in json.load(open(fixture))["kvs"]}
for f in mine:
    if not keyless:
        assert f["keys"], f"{check} finding names no key: {f}"
    if present is not None:
        missing = [k for k in f["keys"] if k not in present]
        assert not missing, f"{check} names keys the fixture does not hold: {missing}"
    assert f["severity"] in ("error", "warning", "info"), f
    assert f["message"], f
if want_keys is not None:
    named = sorted({k for f in mine for k in f["keys"]})
    extra, lacking = sorted(set(named) - set(want_keys)), sorted(set(want_keys) - set(named))
    assert not extra and not lacking, f"{check}: names keys not part of the fault {extra}, lacks {lacking}"
assert r["summary"]["exit_status"] in (0, 1), r["summary"]
others = sorted({f["check"] for f in findings} - {check})
if others:  # a side effect of the mutation, or a false positive of another check: worth a look
    print(f"note: {fixture} also triggers {', '.join(others)}", file=sys.stderr)
print(1 if any(f["severity"] == "error" for f in findings) else 0, 1 if findings else 0)
PY

errors=0 clean_exit=0
for id in "${checks[@]}"; do
  fixtures=()
  for ext in json db; do [ -f "$CF/$id.$ext" ] && fixtures+=("$CF/$id.$ext"); done
  if [ -n "${no_fixture[$id]:-}" ]; then
    [ "${#fixtures[@]}" -eq 0 ] || fail "$id is listed as having no fixture, but ${fixtures[*]} exists"
    echo "no fixture for $id: ${no_fixture[$id]}"
    continue
  fi
  [ "${#fixtures[@]}" -eq 1 ] || fail "check $id: want one fixture $CF/$id.json or .db, found ${#fixtures[@]} (scripts/make-check-fixtures makes them)"
  f=${fixtures[0]}
  grep -qF "\`$(basename "$f")\`" "$CF/README.md" || fail "$CF/README.md does not describe $(basename "$f")"
  if [ -n "${args[$id]+set}" ]; then read -ra a <<<"${args[$id]}"; else a=(--now "$healthy_now"); fi
  [ -f "$CF/$id.old.json" ] && a+=(--baseline "$CF/$id.old.json")

  keys=()
  if [ -n "${keyless[$id]:-}" ]; then
    [ ! -f "$CF/$id.keys" ] || fail "$id names no key by design, but $CF/$id.keys exists"
  else
    [ -f "$CF/$id.keys" ] || fail "check $id: no $CF/$id.keys (the keys of its fault; scripts/make-check-fixtures)"
    keys=("$CF/$id.keys")
  fi

  got=0
  kvcheck -o json "${a[@]}" "$f" >"$TMP/report.json" 2>"$TMP/err" || got=$?
  [ "$got" = 0 ] || [ "$got" = 1 ] || { cat "$TMP/err" >&2; fail "kvcheck $id: exit status $got"; }
  read -r want any < <(python3 "$TMP/verify.py" "$TMP/report.json" "$f" "$id" "${keyless[$id]:+1}" "${keys[@]}") ||
    fail "check $id on $(basename "$f")"
  expect_eq "$got" "$want" "exit status of kvcheck (--fail-on error) on $(basename "$f")"
  expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["exit_status"])' "$TMP/report.json")" \
    "$got" "summary.exit_status on $(basename "$f")"
  if [ "$want" = 1 ]; then errors=$((errors + 1)); else clean_exit=$((clean_exit + 1)); fi
  expect_status 0 kvcheck -o json --fail-on never "${a[@]}" "$f"
  expect_status "$any" kvcheck -o json --fail-on info "${a[@]}" "$f"
  echo "ok $id ($(basename "$f"), exit status $got)"
done
# Both sides of --fail-on error were exercised: fixtures with an error finding (exit 1) and
# fixtures with only warnings or info (exit 0).
if [ "$errors" -eq 0 ] || [ "$clean_exit" -eq 0 ]; then
  fail "fixtures exiting 1: $errors, exiting 0: $clean_exit"
fi
# Two named cases, so that the rule above cannot pass by accident.
expect_status 1 kvcheck --now "$healthy_now" "$CF/identity-slave-orphan.json"
expect_status 0 kvcheck --now "$healthy_now" "$CF/identity-unused.json"
expect_in "$TMP/out" "identity-unused"
expect_status 1 kvcheck --fail-on warning --now "$healthy_now" "$CF/identity-unused.json"

# Every fixture belongs to a check that exists (baseline-clean is the healthy pair below).
for f in "$CF"/*; do
  b=$(basename "$f")
  [ "$b" = README.md ] && continue
  id=${b%%.*}
  [ "$id" = baseline-clean ] && continue
  case $b in *.keys) [ -f "$CF/$id.json" ] || [ -f "$CF/$id.db" ] || fail "$b: no fixture $id.json or $id.db" ;; esac
  [ -n "${known[$id]:-}" ] || fail "$b: no check $id (kvcheck --list-checks)"
done

# The healthy pair: a lock released and taken again by another lease, the heartbeat and a sync
# canary rewritten. No check that compares two snapshots finds anything, and the lock is held
# (info) in the later one.
expect_status 0 kvcheck -o json --baseline "$CF/baseline-clean.old.json" "$CF/baseline-clean.json"
python3 - "$TMP/out" <<'PY'
import json, sys, kvdoc
r = json.load(open(sys.argv[1]))
found = sorted((f["check"], f["message"]) for f in kvdoc.rows(r, "check/"))
assert [c for c, _ in found] == ["lock-held"], found
assert "held by lease 694d7f973360460c" in found[0][1], found
skipped = [s["check"] for s in kvdoc.section(r, "skipped")["rows"]]
assert not [c for c in skipped if c in ("lock-stuck", "heartbeat-not-advancing", "identity-slaves-lost",
                                        "ip-identity-deleted", "node-cidr-moved")], skipped
PY
# kvdiff reports what the history checks find as new findings: the stuck lock.
expect_status 1 kvdiff "$CF/lock-stuck.old.json" "$CF/lock-stuck.json" -o json
python3 - "$TMP/out" <<'PY'
import json, sys, kvdoc
r = json.load(open(sys.argv[1]))
new = sorted(f["check"] for f in kvdoc.rows(r, "findings/new"))
assert "lock-stuck" in new, new
PY
expect_status 1 kvdiff "$CF/baseline-clean.old.json" "$CF/baseline-clean.json" -o json
python3 - "$TMP/out" <<'PY'
import json, sys, kvdoc
r = json.load(open(sys.argv[1]))
new = sorted(f["check"] for f in kvdoc.rows(r, "findings/new"))
assert not set(new) & {"lock-stuck", "heartbeat-not-advancing", "identity-slaves-lost", "ip-identity-deleted",
                       "node-cidr-moved"}, new
PY

# The pair the wrong way round: "deleted since" would say the opposite of what happened. kvcheck
# refuses it; kvdiff (a diff is fine either way) says why it leaves the history checks out.
expect_status 2 kvcheck --baseline "$CF/ip-identity-deleted.json" "$CF/ip-identity-deleted.old.json"
expect_in "$TMP/err" "is later than the snapshot checked (revision 156): give the earlier one as the baseline"
expect_status 1 kvdiff "$CF/ip-identity-deleted.json" "$CF/ip-identity-deleted.old.json" -o json
expect_in "$TMP/err" "the checks that compare two snapshots are not run"
python3 -c 'import json,sys,kvdoc; assert "ip-identity-deleted" not in [f["check"] for f in kvdoc.rows(json.load(open(sys.argv[1])), "findings/")]' "$TMP/out"

# A baseline with no history to share with the snapshot: a copy of the same capture, or a file of
# another etcd (another cluster's bundle). Revisions say nothing then; kvcheck refuses rather than
# report "nothing stuck, nothing deleted", and kvdiff says why it leaves those checks out.
cp "$CF/lock-stuck.old.json" "$TMP/copy.json"
expect_status 2 kvcheck --baseline "$CF/lock-stuck.old.json" "$TMP/copy.json"
expect_in "$TMP/err" "is at the same etcd revision (157) as the snapshot checked: nothing was written between them"
expect_status 2 kvcheck --baseline "$FIX/demo/kvstore.json" "$CF/lock-stuck.json"
expect_in "$TMP/err" "comes from another etcd (cluster id 7016404874313134568; the snapshot checked: 10144879847569953045)"
expect_status 1 kvdiff "$FIX/demo/kvstore.json" "$CF/lock-stuck.json" -o json
expect_in "$TMP/err" "comes from another etcd"
expect_in "$TMP/err" "the checks that compare two snapshots are not run"
