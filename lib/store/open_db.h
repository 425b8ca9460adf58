#pragma once
// The one way every tool opens what it is given where a database is expected: a kvsnap database
// (checked: a file that is not one gets a message that names it and says what to do), or any
// input kvimport reads, imported on the fly into a temporary database that nothing outlives.
#include <memory>
#include <optional>
#include <string>

#include "store/db.h"
#include "util/temp_file.h"

namespace kvsnap {

bool is_sqlite_file(const std::string& path);

// Opens a kvsnap database. Throws UsageError when `path` is missing, empty, not SQLite, another
// program's SQLite file, damaged, or made by a newer kvsnap, saying which and what to do. In
// Create mode a missing file is created (kvimport builds new databases elsewhere and renames
// them into place; see tools/kvimport.cpp).
std::unique_ptr<Db> open_kvsnap_db(const std::string& path, Db::Mode mode);

// How many connections the tools read a database with (one per core).
size_t reader_count();

// Settings of a database file being built by an import, which nothing needs before it is complete:
// 16 KiB pages (suit the many short rows), no journal and no fsync until the caller publishes the
// file, and a 32 MiB page cache: at 1M keys an import takes the same time with 32, 64 or 128 MiB
// (8.4-9.2 s), and 128 MiB held 68 MB more. (PRAGMA threads, for the index builds' sorter, made
// no measurable difference either.)
void tune_for_new_import(Db& db);

struct OpenedDb {
  std::unique_ptr<Db> db;
  bool imported = false;  // an input imported into a temporary database
  // With keep_file: the temporary database, still linked so that another connection can ATTACH
  // it (kvcheck --baseline, kvdiff); remove() it once attached. Removed when destroyed anyway.
  TempFile file;
};

// Opens `path` read-only when it is a SQLite file; otherwise imports it (at_revision for etcd db
// files) as one snapshot into a temporary database, opens it with reader_count() extra
// connections and unlinks the file, so even a SIGKILL leaves nothing behind. `given_as_db`: the
// user named it as a database (-d), so an empty file is explained as a database, not an input.
OpenedDb open_db_or_import(const std::string& path, std::optional<int64_t> at_revision = std::nullopt,
                           const std::string& snapshot_name = "", bool given_as_db = false, bool keep_file = false);

}  // namespace kvsnap
