#include "store/snapshot_select.h"

#include <fmt/format.h>

#include "util/codec.h"
#include "util/error.h"

namespace kvsnap {

int64_t resolve_snapshot(Db& db, const std::optional<std::string>& spec) {
  if (!spec) {
    Stmt s = db.prepare("SELECT max(id) FROM snapshot");
    if (s.step() && !s.is_null(0)) return s.int64(0);
    throw UsageError(fmt::format("{} holds no snapshot (import one with kvimport)", db.path()));
  }
  Stmt byname = db.prepare("SELECT id FROM snapshot WHERE name = ?");
  byname.bind_text(1, *spec);
  if (byname.step()) return byname.int64(0);
  if (auto id = parse_i64(*spec)) {
    Stmt byid = db.prepare("SELECT id FROM snapshot WHERE id = ?");
    byid.bind(1, *id);
    if (byid.step()) return *id;
  }
  std::string known;
  Stmt all = db.prepare("SELECT id, name FROM snapshot ORDER BY id");
  while (all.step()) known += fmt::format("{}{} \"{}\"", known.empty() ? "" : ", ", all.int64(0), all.text(1));
  throw UsageError(
      fmt::format("no snapshot '{}' in {} (there are: {})", *spec, db.path(), known.empty() ? "none" : known));
}

SnapshotInfo load_snapshot_info(Db& db, int64_t id) {
  SnapshotInfo s;
  Stmt q =
      db.prepare("SELECT id, name, source, format, revision, key_count, etcd_cluster_id FROM snapshot WHERE id = ?");
  q.bind(1, id);
  if (q.step()) {
    s.id = q.int64(0);
    s.name = q.text(1);
    s.source = q.text(2);
    s.format = q.text(3);
    if (!q.is_null(4)) s.revision = q.int64(4);
    s.keys = q.int64(5);
    if (!q.is_null(6)) s.etcd_cluster_id = q.text(6);
  }
  s.cilium_keys = cilium_key_count(db, id);
  return s;
}

std::string describe_snapshot(const SnapshotInfo& s) {
  return fmt::format("snapshot {} \"{}\" ({}, {} key{}{})", s.id, s.name, s.format, s.keys, s.keys == 1 ? "" : "s",
                     s.revision ? fmt::format(", etcd revision {}", *s.revision) : "");
}

int64_t cilium_key_count(Db& db, int64_t snapshot_id) {
  Stmt c = db.prepare("SELECT cilium_key_count FROM snapshot WHERE id = ?");
  c.bind(1, snapshot_id);
  return c.step() ? c.int64(0) : 0;
}

std::string no_cilium_keys_note(Db& db, int64_t snapshot_id) {
  if (cilium_key_count(db, snapshot_id) > 0) return "";
  Stmt s = db.prepare("SELECT name, key_count FROM snapshot WHERE id = ?");
  s.bind(1, snapshot_id);
  if (!s.step()) return "";
  return fmt::format("snapshot {} \"{}\" holds no Cilium keys ({} keys, none under cilium/)", snapshot_id, s.text(0),
                     s.int64(1));
}

std::string no_history_note(Db& db, int64_t snapshot_id) {
  Stmt s = db.prepare("SELECT name, format, history_kept FROM main.snapshot WHERE id = ?");
  s.bind(1, snapshot_id);
  if (!s.step() || (!s.is_null(2) && s.int64(2) == 1)) return "";
  if (!s.is_null(2))
    return fmt::format(
        "snapshot {} \"{}\" was imported with --no-history: kv_history holds none of its revisions (import the file "
        "again without --no-history)",
        snapshot_id, s.text(0));
  return fmt::format(
      "snapshot {} \"{}\" ({}) has no history: only etcd db files (a snapshot.db, member/snap/db) hold older "
      "revisions; kv_history holds none of this snapshot's",
      snapshot_id, s.text(0), s.text(1));
}

}  // namespace kvsnap
