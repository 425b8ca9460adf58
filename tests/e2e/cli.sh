#!/usr/bin/env bash
# kvimport's command line: help, listings, naming, --replace, -o json, stdin and compression.
source "$(dirname "$0")/lib.bash"
db=$TMP/k.db

expect_status 0 kvimport --help
expect_in "$TMP/out" "Usage: kvimport"
expect_in "$TMP/out" "--format"
expect_status 0 kvimport --list-formats
for f in etcd-json etcd-simple etcd-hex etcd-fields etcd-protobuf cilium-json cilium-text sysdump; do
  expect_in "$TMP/out" "$f"
done
expect_status 0 kvimport --list-layouts
expect_in "$TMP/out" "cilium/state/identities/v1/id/<ID>"
expect_status 2 kvimport -d "$db"
expect_in "$TMP/err" "no INPUT"
expect_status 2 kvimport --bogus
expect_status 2 kvimport -d "$db" --format nope "$FIX/etcd-3.4/get-json.txt"
expect_in "$TMP/err" "unknown --format 'nope'"
expect_status 2 kvimport -d "$db" "$TMP/does-not-exist.json"
expect_in "$TMP/err" "does-not-exist.json: cannot open: No such file or directory"

# JSON report: one object, the documented members.
expect_status 0 kvimport -d "$db" -o json "$FIX/seed/get-json.txt"
python3 - "$TMP/out" <<'PY'
import json, sys, kvdoc
doc = json.load(open(sys.argv[1]))
assert doc["tool"] == "kvimport" and doc["database"], doc
s = kvdoc.rows(doc, "snapshots")[0]
for k in ("id", "name", "format", "keys", "revision", "counts", "decode_errors"):
    assert k in s, k
assert s["format"] == "etcd-json" and s["keys"] == 5 and s["revision"] == 6, s
assert s["counts"]["identity"] == 1 and s["counts"]["ipcache"] == 2 and s["counts"]["node"] == 1, s
PY

# Same name again: refused without --replace, replaced with it.
expect_status 2 kvimport -d "$db" "$FIX/seed/get-json.txt"
expect_in "$TMP/err" "a snapshot named 'get-json.txt' already exists"
expect_status 0 kvimport -d "$db" --replace "$FIX/seed/get-json.txt"
expect_eq "$(q "$db" "SELECT count(*) FROM snapshot")" "1"
expect_eq "$(q "$db" "SELECT count(DISTINCT snapshot_id) FROM kv")" "1" "--replace leaves no rows of the old snapshot"
expect_eq "$(q "$db" "SELECT count(*) FROM identity_label")" "8" "--replace leaves no decoded rows of the old snapshot"
# Replacing the only snapshot empties every table at once (its triggers dropped for that): the
# database then has what a new one has, triggers, indexes and row digests included.
kvimport -d "$TMP/fresh.db" "$FIX/seed/get-json.txt" >/dev/null
objects="SELECT group_concat(type || ' ' || name, ', ') FROM (SELECT type, name FROM sqlite_master ORDER BY 1, 2)"
expect_eq "$(q "$db" "$objects")" "$(q "$TMP/fresh.db" "$objects")" "--replace leaves the schema of a new database"
rows="SELECT (SELECT count(*) FROM kv) || ' ' || (SELECT group_concat(first_kv_id || ':' || length(digests)) FROM kv_digest)"
expect_eq "$(q "$db" "$rows")" "$(q "$TMP/fresh.db" "$rows")" "--replace: rows and digests as in a new database"

# -n, stdin, compressed input (detected from the bytes, not the name).
zstd -q -c "$FIX/seed/get-json.txt" >"$TMP/seed.data"
gzip -c "$FIX/seed/seed-kvstore.txt" >"$TMP/seed2.data"
expect_status 0 kvimport -d "$db" -n zst "$TMP/seed.data"
expect_in "$TMP/out" "(etcd-json, zstd)"
expect_status 0 kvimport -d "$db" -n gz "$TMP/seed2.data"
expect_in "$TMP/out" "(cilium-text, gzip)"
expect_status 0 kvimport -d "$db" -n piped - <"$FIX/etcd-3.4/get-protobuf.bin"
expect_in "$TMP/out" "(etcd-protobuf)"
expect_eq "$(q "$db" "SELECT name || ':' || key_count FROM snapshot ORDER BY id")" \
  "$(printf 'get-json.txt:5\nzst:5\ngz:5\npiped:12')"
# The same keys and values whatever the format or compression.
expect_eq "$(q "$db" "SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = 3 EXCEPT SELECT key, value FROM kv WHERE snapshot_id = 2)")" "0"
# Replacing one of several snapshots deletes its rows only.
expect_status 0 kvimport -d "$db" -n zst --replace "$FIX/etcd-3.4/get-protobuf.bin"
expect_eq "$(q "$db" "SELECT name || ':' || key_count FROM snapshot ORDER BY name")" \
  "$(printf 'get-json.txt:5\ngz:5\npiped:12\nzst:12')"
expect_eq "$(q "$db" "SELECT count(*) FROM kv")" "34" "--replace of one snapshot of several"
expect_eq "$(q "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" \
  "$(q "$TMP/fresh.db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")"
expect_status 2 kvimport -d "$db" -n x "$FIX/seed/get-json.txt" "$FIX/seed/seed-kvstore.txt"
expect_in "$TMP/err" "-n names one snapshot"

# --timings: where each import's time went, the same section in every output format. A new
# database builds its indexes after the load and is moved into place; an existing one does neither.
# Every phase takes some time; the phases of one import add up to no more than the whole run.
expect_status 0 kvimport -d "$TMP/timed.db" --timings -o json "$FIX/seed/get-json.txt" "$FIX/etcd-3.4/snapshots/snap1.db"
cp "$TMP/out" "$TMP/timed-new.json"
expect_status 0 kvimport -d "$TMP/timed.db" -n again --timings -o json "$FIX/seed/get-json.txt"
python3 - "$TMP/timed-new.json" "$TMP/out" <<'PY'
import json, sys, kvdoc
new, again = (kvdoc.rows(json.load(open(f)), "timings") for f in sys.argv[1:])
for rows in (new, again):
    for r in rows:
        assert set(r) == {"snapshot", "phase", "wall_s", "cpu_s"}, r
        assert isinstance(r["wall_s"], (int, float)) and r["wall_s"] >= 0 and r["cpu_s"] >= 0, r
    total = rows[-1]
    assert total["snapshot"] == "" and total["phase"] == "total", total
    for name in {r["snapshot"] for r in rows if r["snapshot"]}:
        mine = [r for r in rows if r["snapshot"] == name and not r["phase"].startswith("- ")]
        assert sum(r["wall_s"] for r in mine) <= total["wall_s"] + 0.005 * len(mine), (name, mine, total)
phases = lambda rows, snap: [r["phase"] for r in rows if r["snapshot"] == snap]
seed, snap = phases(new, "get-json.txt"), phases(new, "snap1.db")
assert seed[0] == "read, decode and insert the keys" and "build index kv_key_hash" in seed, seed
assert "build index ipcache_ip" in seed and seed[-1] == "planner statistics (ANALYZE)", seed
assert snap[:4] == ["read the file", "walk the b+tree pages", "sort the key bucket's records by key",
                    "wait for the SHA-256 of the file"], snap
# Only the first import into the new database loads in bulk: the second keeps the indexes up to date.
assert not any(p.startswith("build index") for p in snap), snap
assert [r["phase"] for r in new if not r["snapshot"]] == [
    "commit and close the database", "write the new file to disk (fsync), move it into place", "total"], new
assert not any(p.startswith("build index") for p in phases(again, "again")), again
assert [r["phase"] for r in again if not r["snapshot"]] == ["commit and close the database", "total"], again
PY
expect_status 0 kvimport -d "$TMP/timed2.db" --timings "$FIX/seed/get-json.txt"
expect_in "$TMP/out" "timings (seconds"
expect_in "$TMP/out" "build index kv_key_hash"
expect_status 0 kvimport -d "$TMP/timed3.db" -o json "$FIX/seed/get-json.txt"
grep -qF '"timings"' "$TMP/out" && fail "a timings section without --timings"
expect_status 2 kvimport --status --timings "$FIX/etcd-3.4/snapshots/snap1.db"
expect_in "$TMP/err" "--timings times an import"
expect_status 2 kvimport -d "$TMP/timed4.db" --timings -o csv "$FIX/seed/get-json.txt"
expect_in "$TMP/err" "-o csv prints the snapshots table alone"
[ ! -e "$TMP/timed4.db" ] || fail "a refused --timings -o csv created the database"
expect_status 0 kvimport -d "$TMP/timed4.db" --timings -o markdown "$FIX/seed/get-json.txt"
expect_in "$TMP/out" "| planner statistics (ANALYZE) |"

# --version, the same on every tool: the project version and the commit the build came from.
version=$(sed -n 's/^project(kvsnap VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$version" ] || fail "no project(kvsnap VERSION ...) in CMakeLists.txt"
for tool in kvimport kvcheck kvquery kvdiff kvgen; do
  expect_status 0 "$tool" --version
  line=$(cat "$TMP/out")
  [[ $line =~ ^$tool\ \(kvsnap\)\ ${version//./\\.}\ \(commit\ ([^ ]+)\)$ ]] || fail "$tool --version printed '$line'"
  commit=${BASH_REMATCH[1]}
  if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$SRC" && pwd -P)" ]; then
    # The commit checked out (the build ran on it), -dirty only when tracked files differ. In a tree
    # others commit to, HEAD may have moved on since the build: then it must be an ancestor.
    full=$(git -C "$SRC" rev-parse --verify --quiet "${commit%-dirty}^{commit}") ||
      fail "$tool --version names no commit of $SRC: '$commit'"
    if [ "$full" != "$(git -C "$SRC" rev-parse HEAD)" ]; then
      git -C "$SRC" merge-base --is-ancestor "$full" HEAD || fail "$tool --version names $commit, not HEAD"
      echo "note: $tool was built from $commit; HEAD has moved on since"
    fi
    if [ -z "$(git -C "$SRC" status --porcelain --untracked-files=no)" ]; then
      expect_eq "$commit" "${commit%-dirty}" "$tool --version says -dirty in a clean checkout"
    fi
  else
    expect_eq "$commit" "unknown" "$tool --version outside a git checkout"
  fi
  expect_status 0 "$tool" --help
  expect_in "$TMP/out" "--version"
done
expect_status 2 kvgen stray-argument
expect_in "$TMP/err" "kvgen: takes no arguments"

# scripts/version.cmake: "unknown" outside git, and inside a repository that is not the source's
# own; the generated file is left alone (same mtime) when nothing changed.
gen() { cmake -DOUT="$TMP/version.cpp" -DVERSION=9.8.7 -DSRC="$1" -P "$SRC/scripts/version.cmake"; }
mkdir -p "$TMP/nogit" "$TMP/outer/src"
gen "$TMP/nogit"
expect_in "$TMP/version.cpp" 'kvsnap_commit() { return "unknown"; }'
expect_in "$TMP/version.cpp" 'kvsnap_version() { return "9.8.7"; }'
git -C "$TMP/outer" init -q
git -C "$TMP/outer" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m outer
gen "$TMP/outer/src"
expect_in "$TMP/version.cpp" 'kvsnap_commit() { return "unknown"; }'
gen "$TMP/outer"
expect_in "$TMP/version.cpp" "kvsnap_commit() { return \"$(git -C "$TMP/outer" rev-parse --short=7 HEAD)\"; }"
git -C "$TMP/outer" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m next
gen "$TMP/outer"
expect_in "$TMP/version.cpp" "kvsnap_commit() { return \"$(git -C "$TMP/outer" rev-parse --short=7 HEAD)\"; }"
touch "$TMP/outer/tracked" && git -C "$TMP/outer" add tracked
gen "$TMP/outer"
expect_in "$TMP/version.cpp" "kvsnap_commit() { return \"$(git -C "$TMP/outer" rev-parse --short=7 HEAD)-dirty\"; }"
touch -d '2001-01-01 00:00:00' "$TMP/version.cpp"
gen "$TMP/outer"
expect_eq "$(stat -c %Y "$TMP/version.cpp")" "$(date -d '2001-01-01 00:00:00' +%s)" "version.cpp rewritten unchanged"
[ ! -e "$TMP/version.cpp.tmp" ] || fail "version.cmake leaves its .tmp behind"
echo "ok"
