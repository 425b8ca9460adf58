#!/usr/bin/env bash
# A sysdump whose `cilium kvstore get` failed for some prefixes (fixtures/sysdump-failed: what
# cilium-cli leaves in kvstore-*.json then, from cilium-cli's and Cilium's source): those members
# are left out with a warning naming them, as zip and as folder; the sysdump is refused, naming
# each member and why, when no member holds data; a member that starts as a dump and breaks, or
# text that is neither a dump nor a failed command's output, is refused, never left out.
source "$(dirname "$0")/lib.bash"
SD=$FIX/cluster/sysdump
F=$FIX/sysdump-failed
name=cilium-sysdump-20250310-081500

# sysdump DIR: a copy of the bundled sysdump folder at $TMP/DIR/$name (its members replaced by the
# caller), and $TMP/DIR.zip zipped from it the way cilium-cli does (entries $name/<file>).
sysdump() {
  rm -rf "${TMP:?}/$1" "$TMP/$1.zip"
  mkdir -p "$TMP/$1"
  cp -r "$SD" "$TMP/$1/$name"
}
zipped() { (cd "$TMP/$1" && zip -qr "../$1.zip" "$name"); }
keys() { q "$1" "SELECT count(*) FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = '$2')"; }
warnings() { q "$1" "SELECT ifnull(json_array_length(warnings), 0) FROM snapshot WHERE name = '$2'"; }

db=$TMP/s.db
expect_status 0 kvimport -d "$db" -n intact "$SD"
all=$(keys "$db" intact)
ips=$(q "$db" "SELECT count(*) FROM kv WHERE snapshot_id = 1 AND CAST(key AS TEXT) LIKE 'cilium/state/ip/%'")
nodes=$(q "$db" "SELECT count(*) FROM kv WHERE snapshot_id = 1 AND CAST(key AS TEXT) LIKE 'cilium/state/nodes/%'")

# One member holds only the kvstore client's log lines (Cilium 1.18+, etcd not reached), another
# the command's error message: both left out with a warning each, the other members imported.
sysdump partial
cp "$F/stdout-connect-failed.txt" "$TMP/partial/$name/kvstore-ips.json"
cp "$F/stderr-connect-failed.txt" "$TMP/partial/$name/kvstore-nodes.json"
zipped partial
for input in "$TMP/partial/$name" "$TMP/partial.zip"; do
  n=$(basename "$input")
  expect_status 0 kvimport -d "$db" -n "$n" "$input"
  expect_in "$TMP/out" "kvstore-ips.json holds only 2 log lines of \`cilium kvstore get\`, no data (the sysdump's kvstore task failed for it): its keys are missing; its last line: \"time=2025-03-10T08:15:03.412977135Z level=info msg=\"Connecting to etcd server...\""
  expect_in "$TMP/out" "kvstore-nodes.json holds an etcdctl or cilium error message instead of data (the sysdump's kvstore task failed for it): its keys are missing; its first line: \"Error: Unable to connect to the kvstore: timed out"
  expect_eq "$(warnings "$db" "$n")" 2 "$n: warnings"
  expect_eq "$(keys "$db" "$n")" "$((all - ips - nodes))" "$n: the keys of the other members"
  q "$db" "SELECT warnings FROM snapshot WHERE name = '$n'" >"$TMP/w"
  expect_in "$TMP/w" "$name/kvstore-ips.json holds only 2 log lines"
  expect_in "$TMP/w" "$name/kvstore-nodes.json holds an etcdctl or cilium error message"
done
# kvimport -o json says it too.
expect_status 0 kvimport -d "$TMP/j.db" -o json "$TMP/partial.zip"
expect_in "$TMP/out" "$name/kvstore-ips.json holds only 2 log lines"

# What cilium-cli v0.16.24+ leaves when the command for ips fails: the ips file with what the
# command printed, no file for the prefixes after it. One warning for the failed file, one for the
# missing ones.
sysdump stopped
cp "$F/stdout-connect-failed.txt" "$TMP/stopped/$name/kvstore-ips.json"
rm "$TMP/stopped/$name"/kvstore-{nodes,cnpstatuses,heartbeat,services}.json
zipped stopped
for input in "$TMP/stopped/$name" "$TMP/stopped.zip"; do
  n=stopped-$(basename "$input")
  expect_status 0 kvimport -d "$db" -n "$n" "$input"
  expect_in "$TMP/out" "kvstore-ips.json holds only 2 log lines of \`cilium kvstore get\`, no data"
  expect_in "$TMP/out" "$input has no kvstore-nodes.json, kvstore-cnpstatuses.json, kvstore-heartbeat.json, kvstore-services.json (cilium sysdump writes one kvstore-*.json per prefix and writes none after the first whose \`cilium kvstore get\` fails): their keys are missing"
  expect_eq "$(warnings "$db" "$n")" 2 "$n: warnings"
  expect_eq "$(keys "$db" "$n")" "$(q "$db" "SELECT count(*) FROM kv WHERE snapshot_id = 1 AND CAST(key AS TEXT) LIKE 'cilium/state/identities/%'")" "$n: the identities"
done

# With Cilium 1.18+ the same log lines precede the dump when the command succeeds: skipped, every
# key imported, no warning.
sysdump preamble
for f in "$SD"/kvstore-*.json; do
  cat "$F/stdout-log-preamble.txt" "$f" >"$TMP/preamble/$name/$(basename "$f")"
done
zipped preamble
for input in "$TMP/preamble/$name" "$TMP/preamble.zip"; do
  n=pre-$(basename "$input")
  expect_status 0 kvimport -d "$db" -n "$n" "$input"
  expect_eq "$(keys "$db" "$n")" "$all" "$n: keys after the log lines"
  expect_eq "$(warnings "$db" "$n")" 0 "$n: warnings"
done
expect_eq "$(q "$db" "SELECT count(*) FROM (SELECT key, value FROM kv WHERE snapshot_id = 1 EXCEPT SELECT key, value FROM kv WHERE snapshot_id = (SELECT id FROM snapshot WHERE name = 'pre-$name'))")" 0 "same keys and values"

# No member holds data (log lines, an error message, empty files): refused, the sysdump and each
# member named with why; the database is left as it was.
sysdump failed
for f in "$TMP/failed/$name"/kvstore-*.json; do cp "$F/stdout-connect-failed.txt" "$f"; done
cp "$F/stderr-connect-failed.txt" "$TMP/failed/$name/kvstore-nodes.json"
: >"$TMP/failed/$name/kvstore-heartbeat.json"
zipped failed
before=$(sha256sum "$db")
for input in "$TMP/failed/$name" "$TMP/failed.zip"; do
  expect_status 2 kvimport -d "$db" -n "failed-$(basename "$input")" "$input"
  expect_in "$TMP/err" "$input: no kvstore data in this sysdump: \`cilium kvstore get\` failed for each of its 6 kvstore-*.json files: "
  expect_in "$TMP/err" "nothing was imported"
  for m in cnpstatuses identities ips services; do
    expect_in "$TMP/err" "$name/kvstore-$m.json holds only 2 log lines of \`cilium kvstore get\`, no data (its last line: "
  done
  expect_in "$TMP/err" "$name/kvstore-nodes.json holds an etcdctl or cilium error message instead of data (its first line: \"Error: Unable"
  expect_in "$TMP/err" "$name/kvstore-heartbeat.json is empty"
  expect_status 2 kvcheck "$input"
  expect_in "$TMP/err" "no kvstore data in this sysdump"
done
expect_eq "$(sha256sum "$db")" "$before" "a refused sysdump changed the database"

# A member that starts as a dump and breaks is damaged data: refused with the member and the
# byte, even when another member failed (log lines before it do not change that).
sysdump cut
head -c 700 "$SD/kvstore-identities.json" >"$TMP/cut/$name/kvstore-identities.json"
cp "$F/stdout-connect-failed.txt" "$TMP/cut/$name/kvstore-ips.json"
zipped cut
expect_status 2 kvimport -d "$db" -n cut "$TMP/cut/$name"
expect_in "$TMP/err" "$TMP/cut/$name/kvstore-identities.json: byte 700: "
expect_status 2 kvimport -d "$db" -n cut "$TMP/cut.zip"
expect_in "$TMP/err" "$name/kvstore-identities.json: byte 700: "
sysdump cut-after-logs
{
  cat "$F/stdout-log-preamble.txt"
  head -c 700 "$SD/kvstore-identities.json"
} >"$TMP/cut-after-logs/$name/kvstore-identities.json"
expect_status 2 kvimport -d "$db" -n cut "$TMP/cut-after-logs/$name"
expect_in "$TMP/err" "kvstore-identities.json: byte $(($(wc -c <"$F/stdout-log-preamble.txt") + 700)): "

# An error message followed by a dump, and text that is neither: refused, not left out.
sysdump mixed
{
  cat "$F/stderr-connect-failed.txt"
  cat "$SD/kvstore-nodes.json"
} >"$TMP/mixed/$name/kvstore-nodes.json"
expect_status 2 kvimport -d "$db" -n mixed "$TMP/mixed/$name"
expect_in "$TMP/err" "kvstore-nodes.json: byte 0: "
sysdump text
echo "hello" >"$TMP/text/$name/kvstore-nodes.json"
expect_status 2 kvimport -d "$db" -n text "$TMP/text/$name"
expect_in "$TMP/err" "kvstore-nodes.json: byte 0: "
expect_eq "$(sha256sum "$db")" "$before" "a refused sysdump changed the database"
echo "ok"
