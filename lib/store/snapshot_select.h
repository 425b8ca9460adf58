#pragma once
// Choosing a snapshot on the command line: by id or by name; the newest when not given.
#include <optional>
#include <string>

#include "store/db.h"

namespace kvsnap {

// Throws UsageError naming the snapshots that exist when `spec` matches none.
int64_t resolve_snapshot(Db& db, const std::optional<std::string>& spec);

}  // namespace kvsnap
