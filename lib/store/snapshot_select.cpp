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
  throw UsageError(fmt::format("no snapshot '{}' in {} (there are: {})", *spec, db.path(), known.empty() ? "none" : known));
}

}  // namespace kvsnap
