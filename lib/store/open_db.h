#pragma once
// What the reading tools accept where a database is expected: a kvsnap database, or any input
// kvimport reads, imported on the fly into a temporary database file.
#include <memory>
#include <optional>
#include <string>

#include "store/db.h"
#include "util/temp_file.h"

namespace kvsnap {

bool is_sqlite_file(const std::string& path);

struct OpenedDb {
  std::unique_ptr<Db> db;
  TempFile temp;         // the temporary database an input was imported into
  bool imported = false;
};

// Opens `path` read-only when it is a SQLite database; otherwise imports it (at_revision for etcd
// db files) as one snapshot into a temporary database and opens that.
OpenedDb open_db_or_import(const std::string& path, std::optional<int64_t> at_revision = std::nullopt,
                           const std::string& snapshot_name = "");

}  // namespace kvsnap
