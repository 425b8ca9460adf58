#pragma once
// The earlier snapshot the history checks compare with (`requires: baseline`): kvcheck --baseline
// OLD and kvdiff's findings delta. It is ATTACHed as schema `old` to every connection that runs
// checks, so a check reads old.kv, old.identity, ... next to the current snapshot's tables.
#include <string>

#include "check/checks.h"
#include "store/open_db.h"

namespace kvsnap {

// Attaches `baseline_path` (a database file holding snapshot `baseline_id`; `baseline_db` is a
// connection to it) to `db` and all its readers as `old`, and describes it. `baseline_path` may be
// removed afterwards. Throws UsageError when it is the very snapshot being checked.
CheckContext::Baseline attach_baseline_snapshot(Db& db, int64_t snapshot_id, Db& baseline_db,
                                                const std::string& baseline_path, int64_t baseline_id);

// kvcheck --baseline SPEC: a snapshot of db (a name or id; not when db is a temporary import of
// an INPUT) or an input file or database, which is imported into a temporary database kept in
// `keep` until attached.
CheckContext::Baseline attach_baseline(Db& db, bool db_is_temporary, int64_t snapshot_id, const std::string& spec,
                                       OpenedDb& keep);

}  // namespace kvsnap
