#pragma once
// Choosing a snapshot on the command line: by id or by name; the newest when not given.
#include <optional>
#include <string>

#include "store/db.h"

namespace kvsnap {

// Throws UsageError naming the snapshots that exist when `spec` matches none.
int64_t resolve_snapshot(Db& db, const std::optional<std::string>& spec);

// What the reports say about a snapshot.
struct SnapshotInfo {
  int64_t id = 0;
  std::string name, source, format;
  std::optional<int64_t> revision;
  std::optional<std::string> etcd_cluster_id;  // the etcd cluster it was read from, when the input says
  int64_t keys = 0;
  int64_t cilium_keys = 0;  // keys under cilium/: none means there is nothing to check
};
SnapshotInfo load_snapshot_info(Db& db, int64_t id);
// "snapshot 1 "name" (etcd-json, 155 keys, etcd revision 156)"
std::string describe_snapshot(const SnapshotInfo& s);

// Keys under cilium/ in a snapshot: none means there is nothing Cilium in it to report on.
int64_t cilium_key_count(Db& db, int64_t snapshot_id);
// What a tool says about a snapshot without Cilium keys ("" when it has some).
std::string no_cilium_keys_note(Db& db, int64_t snapshot_id);
// A note when the snapshot's kv_history is empty because of how it was imported (--no-history, or
// an input that carries no history), so that a query reading it finding nothing is not read as
// "the key never changed"; "" when it holds every revision of its file.
std::string no_history_note(Db& db, int64_t snapshot_id);

}  // namespace kvsnap
