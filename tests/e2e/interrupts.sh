#!/usr/bin/env bash
# Nothing half-done: an interrupted import (SIGINT, SIGTERM, SIGKILL) leaves the previous database
# or none, never a file the next command chokes on; temporary databases of kvcheck, kvquery and
# kvdiff never outlive their run; two imports into one new path cannot lose each other's work; a
# full disk and a file-size limit are explained; database files a tool cannot use are named.
source "$(dirname "$0")/lib.bash"
# Job control: background commands of a script otherwise start with SIGINT ignored, as under
# nohup, and the tools (rightly) keep it ignored.
set -m
export TMPDIR=$TMP/tmp
mkdir -p "$TMPDIR"
kvgen --keys 200000 >"$TMP/big.json"
small=$FIX/cluster/get-json.txt

# wait_for GLOB: until a file matching it exists (the process got to that point).
wait_for() {
  for _ in $(seq 1 1200); do  # 60 s: the suite may share the machine with a sanitizer build
    compgen -G "$1" >/dev/null && return 0
    sleep 0.05
  done
  fail "nothing matched $1"
}
# feed NAME FILE: a fifo $TMP/NAME.fifo that gives FILE and then stalls (an input still streaming in);
# unfeed stops it.
feed() {
  mkfifo "$TMP/$1.fifo"
  (cat "$2"; exec sleep 60) >"$TMP/$1.fifo" &
  feeder=$!
}
unfeed() {
  kill "$feeder" 2>/dev/null || true
  pkill -f "^sleep 60$" 2>/dev/null || true
  wait "$feeder" 2>/dev/null || true
  rm -f "$TMP"/*.fifo
}
# no_debris DIR: DIR holds no file (dot files included).
no_debris() {
  local left
  left=$(find "$1" -mindepth 1 -maxdepth 1 | head -5)
  [ -z "$left" ] || fail "left behind in $1: $left"
}

# A new database, interrupted while the input still streams in: no database file at all.
for sig in INT TERM KILL; do
  mkdir -p "$TMP/new-$sig"
  feed in "$TMP/big.json"
  kvimport -d "$TMP/new-$sig/k.db" - <"$TMP/in.fifo" >/dev/null 2>&1 &
  pid=$!
  wait_for "$TMP/new-$sig/.k.db.kvimport-*"
  kill -"$sig" "$pid"
  wait "$pid" 2>/dev/null || true
  unfeed
  [ ! -e "$TMP/new-$sig/k.db" ] || fail "SIGINT/SIGTERM/SIGKILL left k.db"
  [ ! -e "$TMP/new-$sig/k.db-journal" ] || fail "a journal was left"
  if [ "$sig" != KILL ]; then no_debris "$TMP/new-$sig"; fi
  # The next command works: nothing there to choke on, and what SIGKILL left is cleaned up.
  expect_status 0 kvimport -d "$TMP/new-$sig/k.db" "$small"
  expect_status 0 kvcheck -d "$TMP/new-$sig/k.db" --now 2025-03-10T08:16:00Z
  expect_eq "$(find "$TMP/new-$sig" -mindepth 1 | sed "s|$TMP/new-$sig/||")" "k.db"
done

# An existing database, import killed mid-transaction: its hot journal is rolled back by the
# read-only tools themselves, which then see the database as it was.
db=$TMP/existing.db
kvimport -d "$db" "$small" >/dev/null
# Twice the keys of big.json: its rows alone may fit the import's 128 MiB cache, and a cache that
# never spills never writes the file before the commit.
kvgen --keys 400000 >"$TMP/bigger.json"
feed in "$TMP/bigger.json"
kvimport -d "$db" -n second - <"$TMP/in.fifo" >/dev/null 2>&1 &
pid=$!
# Kill it once SQLite has spilled its cache into the database file: the journal is hot then.
size0=$(stat -c %s "$db")
for _ in $(seq 1 600); do
  [ "$(stat -c %s "$db")" -gt "$size0" ] && break
  sleep 0.05
done
[ "$(stat -c %s "$db")" -gt "$size0" ] || fail "the import never wrote into the database file"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
unfeed
[ -s "$db-journal" ] || fail "no hot journal to test with"
expect_status 0 kvquery -d "$db" "SELECT group_concat(name) FROM snapshot"
expect_eq "$(tail -n +3 "$TMP/out" | head -1 | tr -d ' ')" "get-json.txt"
expect_status 0 kvcheck -d "$db" --now 2025-03-10T08:16:00Z
[ ! -s "$db-journal" ] || fail "the hot journal is still there"
expect_status 0 kvimport -d "$db" -n second "$small"

# Temporary databases: removed on SIGINT/SIGTERM while the input is imported, unlinked as soon as
# the tool has opened them (SIGKILL then leaves nothing either), and a file a SIGKILLed import
# left is removed by the next run.
for sig in INT TERM; do
  feed in "$TMP/big.json"
  kvcheck - <"$TMP/in.fifo" >/dev/null 2>&1 &
  pid=$!
  wait_for "$TMPDIR/kvsnap-*"
  kill -"$sig" "$pid"
  wait "$pid" 2>/dev/null || true
  unfeed
  no_debris "$TMPDIR"
done
kvdiff "$TMP/big.json" "$small" >/dev/null 2>&1 &
pid=$!
wait_for "$TMPDIR/kvsnap-*"
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
no_debris "$TMPDIR"
feed in "$TMP/big.json"
kvquery -d - "SELECT 1" <"$TMP/in.fifo" >/dev/null 2>&1 &
pid=$!
wait_for "$TMPDIR/kvsnap-*"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
unfeed
compgen -G "$TMPDIR/kvsnap-*" >/dev/null || fail "expected the SIGKILLed import's file (the next run removes it)"
expect_status 3 kvcheck "$FIX/etcd-3.4/get-json.txt"
no_debris "$TMPDIR"
# A long query after the import: the temporary database is already unlinked, SIGKILL leaves nothing.
kvquery -d "$small" "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  compgen -G "$TMPDIR/kvsnap-*" >/dev/null || break
  sleep 0.05
done
sleep 0.2
kill -0 "$pid" || fail "kvquery ended before it could be killed"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
no_debris "$TMPDIR"

# Two imports into one new database at once: the first to finish creates it, the other says so
# and removes only its own file. Both are held on their standard input until released in turn.
mkfifo "$TMP/a.fifo" "$TMP/b.fifo"
kvimport -d "$TMP/race.db" -n first - <"$TMP/a.fifo" >"$TMP/a.out" 2>"$TMP/a.err" &
pa=$!
kvimport -d "$TMP/race.db" -n second - <"$TMP/b.fifo" >"$TMP/b.out" 2>"$TMP/b.err" &
pb=$!
exec 7>"$TMP/a.fifo" 8>"$TMP/b.fifo"
wait_for "$TMP/.race.db.kvimport-$pa-*"
wait_for "$TMP/.race.db.kvimport-$pb-*"
cat "$small" >&8
exec 8>&-
wait "$pb" || fail "the second import failed: $(cat "$TMP/b.err")"
cat "$small" >&7
exec 7>&-
sa=0
wait "$pa" || sa=$?
expect_eq "$sa" 2 "exit status of the import that lost the race"
expect_in "$TMP/a.err" "race.db was created by another process while this import ran"
expect_eq "$(q "$TMP/race.db" "SELECT group_concat(name) FROM snapshot")" "second"
expect_eq "$(find "$TMP" -maxdepth 1 -name '.race.db*' | wc -l)" 0

# A file-size limit (ulimit -f) and a full disk: a message and exit 2, not a silent death, and no
# database left behind.
(
  ulimit -f 4096  # 4 MiB
  expect_status 2 kvimport -d "$TMP/limited.db" "$TMP/big.json"
)
expect_in "$TMP/err" "file-size limit (ulimit -f)"
expect_in "$TMP/err" "nothing was imported"
[ ! -e "$TMP/limited.db" ] || fail "a failed import left limited.db"
no_debris "$TMPDIR"
# The limit is reached by the writes of the values before a damaged end: the write error came
# first and is the one reported, as when reading and writing ran on one thread (with the writes
# behind the reader, "key line without its value line" was reported instead).
{
  for i in 0 1 2 3; do
    echo "cilium/state/big/$i"
    head -c 20000000 /dev/zero | tr '\0' v
    echo
  done
  echo cilium/state/last-key-without-value
} >"$TMP/late-end.txt"
(
  ulimit -f 40000
  expect_status 2 kvimport -d "$TMP/late.db" --format etcd-simple "$TMP/late-end.txt"
)
expect_in "$TMP/err" "file-size limit (ulimit -f)"
[ ! -e "$TMP/late.db" ] || fail "a failed import left late.db"
rm -f "$TMP/late-end.txt"
mkdir -p "$TMP/small-fs"
unshare -rm bash -c '
  mount -t tmpfs -o size=2m none "$1" || exit 99
  cd "$1" && kvimport -d full.db "$2" >"$3/out" 2>"$3/err"; echo $? >"$3/status"; ls -A >"$3/left"' \
  _ "$TMP/small-fs" "$TMP/big.json" "$TMP" || fail "cannot mount a small tmpfs in a user namespace (unshare -rm)"
expect_eq "$(cat "$TMP/status")" 2 "exit status on a full disk"
expect_in "$TMP/err" "the disk is full"
expect_eq "$(cat "$TMP/left")" "" "files left on the full disk"

# Database files a tool cannot use: named, with what to do.
: >"$TMP/zero.db"
for tool in "kvcheck -d" "kvquery -d" "kvimport -d"; do
  read -ra t <<<"$tool"
  args=("SELECT 1")
  [ "${t[0]}" = kvcheck ] && args=()
  [ "${t[0]}" = kvimport ] && args=("$small")
  expect_status 2 "${t[@]}" "$TMP/zero.db" "${args[@]}"
  expect_in "$TMP/err" "zero.db: is empty (0 bytes), not a kvsnap database"
done
expect_status 2 kvdiff -d "$TMP/zero.db" a b
expect_in "$TMP/err" "zero.db: is empty (0 bytes)"
sqlite3 "$TMP/other.db" "CREATE TABLE customers(id); CREATE TABLE orders(id)"
expect_status 2 kvcheck -d "$TMP/other.db"
expect_in "$TMP/err" "other.db: is a SQLite database of another program (tables customers, orders), not a kvsnap database"
expect_status 2 kvimport -d "$TMP/other.db" "$small"
expect_in "$TMP/err" "is a SQLite database of another program"
expect_eq "$(q "$TMP/other.db" "SELECT count(*) FROM sqlite_master")" 2 "kvimport changed another program's database"
# One schema, no migrations: a database of any other schema is refused by every tool (reading and
# appending), naming both versions and saying to import again; the file is left as it was.
version=$(q "$db" "PRAGMA user_version")
expect_eq "$(q "$db" "SELECT version FROM kvsnap_schema")" "$version" "kvsnap_schema.version differs from user_version"
cp "$db" "$TMP/newer.db"
q "$TMP/newer.db" "PRAGMA user_version = 99"
expect_status 2 kvcheck -d "$TMP/newer.db"
expect_in "$TMP/err" "newer.db: was made by a newer kvsnap (schema version 99; this kvsnap"
expect_in "$TMP/err" "uses schema version $version)"
cp "$db" "$TMP/older.db"
q "$TMP/older.db" "PRAGMA user_version = $((version - 1))"
before=$(sha256sum <"$TMP/older.db")
for cmd in "kvcheck -d" "kvquery -q nodes -d" "kvdiff 1 1 -d" "kvimport $small -n again -d"; do
  expect_status 2 $cmd "$TMP/older.db"
  expect_in "$TMP/err" "older.db: was made by an older kvsnap (schema version $((version - 1)); this kvsnap"
  expect_in "$TMP/err" "uses schema version $version, and does not upgrade databases): import the inputs again"
done
expect_eq "$(sha256sum <"$TMP/older.db")" "$before" "a refused database was changed"
# Same number, other schema (a development build that changed schema.sql without a bump).
cp "$db" "$TMP/devbuild.db"
q "$TMP/devbuild.db" "UPDATE kvsnap_schema SET fingerprint = '0123456789abcdef', made_by = '0.0.9 (commit abc1234)'"
expect_status 2 kvcheck -d "$TMP/devbuild.db"
expect_in "$TMP/err" "devbuild.db: was made by kvsnap 0.0.9 (commit abc1234) with a different schema of the same version $version (fingerprint 0123456789abcdef"
printf 'not sqlite at all' >"$TMP/text.db"
expect_status 2 kvimport -d "$TMP/text.db" "$small"
expect_in "$TMP/err" "text.db: is not a kvsnap database (not a SQLite file)"
expect_eq "$(cat "$TMP/text.db")" "not sqlite at all" "kvimport wrote into a file that is not its database"
