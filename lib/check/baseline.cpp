#include "check/baseline.h"

#include <unistd.h>

#include <fmt/format.h>

#include "store/snapshot_select.h"
#include "store/sql_functions.h"
#include "util/error.h"

namespace kvsnap {

CheckContext::Baseline attach_baseline_snapshot(Db& db, int64_t snapshot_id, Db& baseline_db,
                                                const std::string& baseline_path, int64_t baseline_id) {
  if (&baseline_db == &db && baseline_id == snapshot_id)
    throw UsageError("--baseline names the snapshot being checked: give an earlier one");
  register_sql_functions(baseline_db);
  register_sql_functions(db);
  CheckContext::Baseline b;
  b.snapshot_id = baseline_id;
  SnapshotInfo old_info = load_snapshot_info(baseline_db, baseline_id), new_info = load_snapshot_info(db, snapshot_id);
  b.name = old_info.name;
  // Its reference time as kvcheck would take it (stated capture time, else the data's newest).
  b.now = make_context(baseline_db, baseline_id, ContextOverrides{}).now;
  // The history checks read "deleted since", "unchanged since": with the two the wrong way round
  // they would report the opposite of what happened. The etcd revisions order them; without
  // them, the reference times; without either, no verdict.
  std::optional<int64_t> new_now = make_context(db, snapshot_id, ContextOverrides{}).now;
  // Revisions and history only mean something within one etcd: a file of another cluster's
  // bundle, or a copy of the same capture, has no history with this one to judge.
  if (old_info.etcd_cluster_id && new_info.etcd_cluster_id && *old_info.etcd_cluster_id != *new_info.etcd_cluster_id)
    throw UsageError(fmt::format(
        "the baseline {} comes from another etcd (cluster id {}; the snapshot checked: {}): the checks that "
        "compare two snapshots need two captures of one etcd (an etcd restored from a snapshot gets a new cluster "
        "id too)",
        old_info.name, *old_info.etcd_cluster_id, *new_info.etcd_cluster_id));
  if (old_info.revision && new_info.revision && *old_info.revision == *new_info.revision)
    throw UsageError(
        fmt::format("the baseline {} is at the same etcd revision ({}) as the snapshot checked: nothing was written "
                    "between them (the same capture twice?), so there is no history to judge",
                    old_info.name, *old_info.revision));
  if (old_info.revision && new_info.revision) {
    if (*old_info.revision > *new_info.revision)
      throw UsageError(
          fmt::format("the baseline {} (etcd revision {}) is later than the snapshot checked (revision "
                      "{}): give the earlier one as the baseline",
                      old_info.name, *old_info.revision, *new_info.revision));
  } else if (b.now && new_now) {
    if (*b.now > *new_now)
      throw UsageError(
          fmt::format("the baseline {} is later than the snapshot checked (by the times their data "
                      "holds): give the earlier one as the baseline",
                      old_info.name));
  } else {
    throw UsageError(
        fmt::format("cannot tell whether the baseline {} is earlier than the snapshot checked: neither "
                    "input holds etcd revisions or times",
                    old_info.name));
  }
  db.open_readers(reader_count());  // every connection that runs checks gets `old` now
  db.attach(baseline_path, "old");
  return b;
}

CheckContext::Baseline attach_baseline(Db& db, bool db_is_temporary, int64_t snapshot_id, const std::string& spec,
                                       OpenedDb& keep) {
  if (!db_is_temporary) {
    try {
      int64_t id = resolve_snapshot(db, spec);
      return attach_baseline_snapshot(db, snapshot_id, db, db.path(), id);
    } catch (const UsageError&) {
      if (access(spec.c_str(), F_OK) != 0) throw;
    }
  } else if (access(spec.c_str(), F_OK) != 0) {
    throw UsageError(fmt::format("--baseline {}: no such file (to name a snapshot, check a database: -d DB)", spec));
  }
  keep = open_db_or_import(spec, std::nullopt, "", false, true);
  int64_t id = resolve_snapshot(*keep.db, std::nullopt);
  auto b = attach_baseline_snapshot(db, snapshot_id, *keep.db, keep.imported ? keep.file.path() : spec, id);
  if (keep.imported) keep.file.remove();  // attached: the connections keep reading it
  return b;
}

}  // namespace kvsnap
