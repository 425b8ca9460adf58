#pragma once
// Choosing a snapshot on the command line: by id or by name; the newest when not given.
#include <optional>
#include <string>

#include "store/db.h"

namespace kvsnap {

// Throws UsageError naming the snapshots that exist when `spec` matches none.
int64_t resolve_snapshot(Db& db, const std::optional<std::string>& spec);

// Keys under cilium/ in a snapshot: none means there is nothing Cilium in it to report on.
int64_t cilium_key_count(Db& db, int64_t snapshot_id);
// What a tool says about a snapshot without Cilium keys ("" when it has some).
std::string no_cilium_keys_note(Db& db, int64_t snapshot_id);

}  // namespace kvsnap
