#!/usr/bin/env bash
# Inputs are never written: every tool reads a dump, an etcd snapshot, a sysdump (zip and folder)
# and the db file a running etcd holds open, and each keeps its checksum. On a read-only file
# system (a user namespace's read-only bind mount) every tool still works: none needs to write
# an input, and nothing is written beside it.
source "$(dirname "$0")/lib.bash"
source "$SRC/scripts/etcd-harness.sh"

mkdir -p "$TMP/in"
cp -r "$FIX/cluster/get-json.txt" "$FIX/cluster/cilium-sysdump-20250310-081500.zip" "$FIX/cluster/sysdump" \
  "$FIX/checks/lease-dangling.db" "$TMP/in/"
cp "$FIX/cluster/get-json.txt" "$TMP/in/other.json"
NOW=(--now 2025-03-10T08:16:00Z)

# reads DIR: every reading tool on every input of DIR and on DIR/kvsnap.db (status 0 or 1: a
# verdict or a difference, not an error).
reads() {
  local dir=$1 f st=0
  ok() { "$@" >/dev/null 2>"$TMP/reads.err" || st=$?; [ "$st" -le 1 ] || { cat "$TMP/reads.err" >&2; echo "failed: $*" >&2; exit 1; }; }
  for f in get-json.txt cilium-sysdump-20250310-081500.zip sysdump lease-dangling.db; do
    ok kvcheck "${NOW[@]}" "$dir/$f"
    ok kvquery -d "$dir/$f" "SELECT count(*) FROM kv"
  done
  ok kvdiff "$dir/get-json.txt" "$dir/other.json"
  ok kvdiff "$dir/lease-dangling.db" "$dir/get-json.txt"
  ok kvimport --status "$dir/lease-dangling.db"
  ok kvimport --verify "$dir/lease-dangling.db"
  ok kvcheck "${NOW[@]}" -d "$dir/kvsnap.db" -s get-json.txt
  ok kvquery -d "$dir/kvsnap.db" "SELECT count(*) FROM snapshot"
  ok kvdiff -d "$dir/kvsnap.db" get-json.txt sysdump
}

sums() { (cd "$TMP/in" && find . -type f | sort | xargs sha256sum && find . -printf '%p %s %m %T@\n' | sort); }
before=$(sums)
for f in get-json.txt cilium-sysdump-20250310-081500.zip sysdump lease-dangling.db; do
  kvimport -d "$TMP/out.db" -n "$f" "$TMP/in/$f" >/dev/null || fail "kvimport of $f failed"
done
expect_eq "$(sums)" "$before" "kvimport changed an input"
cp "$TMP/out.db" "$TMP/in/kvsnap.db"
before=$(sums)
(reads "$TMP/in") || fail "a tool failed on the inputs"
expect_eq "$(sums)" "$before" "a reading tool changed an input or the database"

# Read-only: every input and the database on a file system that refuses writes.
unshare -rm bash -c '
  mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
  touch "$1/probe" 2>/dev/null && exit 98
  eval "$2"
  NOW=(--now 2025-03-10T08:16:00Z)
  TMP=$3
  reads "$1"
' _ "$TMP/in" "$(declare -f reads)" "$TMP" >"$TMP/ro.out" 2>&1 || {
  st=$?
  cat "$TMP/ro.out" >&2
  [ $st -eq 99 ] && fail "cannot make a read-only bind mount in a user namespace (unshare -rm)"
  [ $st -eq 98 ] && fail "the read-only mount accepted a write"
  fail "a tool failed on a read-only file system (status $st)"
}
expect_eq "$(sums)" "$before" "an input changed on the read-only run"

# The db file of a running etcd, read while etcd holds it open.
etcd_start "$TMP/etcd" || fail "cannot start etcd (scripts/setup installs etcd-server and etcd-client)"
kvgen --nodes 2 --identities 4 --pods-per-node 3 --services 1 --seed 5 -o load |
  python3 "$SRC/scripts/etcd-load.py" -q --ops-per-txn 1
member_db=$ETCD_DATA_DIR/member/snap/db
sleep 0.5  # etcd commits its backend every 100 ms: let the last batch land
held=$(sha256sum "$member_db")
kvimport -d "$TMP/live.db" "$member_db" >/dev/null || fail "kvimport of the live member db failed"
kvcheck "${NOW[@]}" "$member_db" >/dev/null || [ $? -eq 1 ] || fail "kvcheck of the live member db failed"
kvquery -d "$member_db" "SELECT count(*) FROM kv" >/dev/null || fail "kvquery of the live member db failed"
kvimport --status "$member_db" >/dev/null || fail "kvimport --status of the live member db failed"
expect_eq "$(sha256sum "$member_db")" "$held" "the member db changed while kvsnap read it"
kill -0 "$ETCD_PID" || fail "etcd died while its db was read"
etcd_stop
