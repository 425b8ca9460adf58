#include "store/open_db.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "io/input.h"
#include "store/import_file.h"
#include "store/importer.h"
#include "store/schema.h"
#include "util/error.h"
#include "util/temp_file.h"

namespace kvsnap {

bool is_sqlite_file(const std::string& path) {
  if (path == "-" || is_directory(path)) return false;
  std::ifstream f(path, std::ios::binary);
  char head[16] = {};
  f.read(head, 16);
  return f.gcount() == 16 && std::memcmp(head, "SQLite format 3\0", 16) == 0;
}

size_t reader_count() { return std::max(1u, std::thread::hardware_concurrency()); }

std::unique_ptr<Db> open_kvsnap_db(const std::string& path, Db::Mode mode) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (mode == Db::Mode::Create) return std::make_unique<Db>(path, mode);
    throw UsageError(fmt::format("{}: no such database (kvimport -d {} INPUT makes one)", path, path));
  }
  if (S_ISDIR(st.st_mode)) throw UsageError(fmt::format("{}: is a folder, not a kvsnap database", path));
  if (st.st_size == 0)
    throw UsageError(
        fmt::format("{}: is empty (0 bytes), not a kvsnap database: an import into it was cut short "
                    "(by a kvsnap older than this one) or another program made it. Remove it and "
                    "import again (kvimport -d {} INPUT)",
                    path, path));
  if (!is_sqlite_file(path))
    throw UsageError(
        fmt::format("{}: is not a kvsnap database (not a SQLite file). If it is a dump or an etcd "
                    "snapshot, import it: kvimport -d new.db {}",
                    path, path));
  auto db = std::make_unique<Db>(path, mode);
  int64_t tables = 0, snapshot_table = 0;
  std::string names;
  try {
    Stmt s = db->prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (s.step()) {
      std::string n = s.text(0);
      ++tables;
      if (n == "snapshot") snapshot_table = 1;
      if (tables <= 5) names += (tables > 1 ? ", " : "") + n;
    }
  } catch (const DbError& e) {
    throw UsageError(fmt::format("{}: is damaged or not a database ({}); import the input again", path, e.what()));
  }
  if (!snapshot_table && tables > 0)
    throw UsageError(fmt::format("{}: is a SQLite database of another program (tables {}{}), not a kvsnap database",
                                 path, names, tables > 5 ? ", ..." : ""));
  if (tables == 0 && mode == Db::Mode::ReadOnly)
    throw UsageError(
        fmt::format("{}: is an empty SQLite database, not a kvsnap database (kvimport -d {} INPUT "
                    "fills it)",
                    path, path));
  if (tables > 0) check_schema(*db, path);
  return db;
}

void tune_for_new_import(Db& db) {
  db.exec("PRAGMA page_size = 16384; PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF; PRAGMA cache_size = -32768;");
}

OpenedDb open_db_or_import(const std::string& path, std::optional<int64_t> at_revision, const std::string& name,
                           bool given_as_db, bool keep_file) {
  OpenedDb out;
  struct stat st;
  bool empty_file = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
  if (is_sqlite_file(path) || (given_as_db && empty_file)) {
    out.db = open_kvsnap_db(path, Db::Mode::ReadOnly);
    return out;
  }
  TempFile temp("kvsnap");
  out.imported = true;
  {
    Db db(temp.path(), Db::Mode::Create);
    tune_for_new_import(db);
    Transaction txn(db);
    ensure_schema(db, temp.path());
    ImportRequest req;
    req.read.at_revision = at_revision;
    if (!name.empty()) req.name = name;
    import_path(db, path, req);
    txn.commit();
  }
  out.db = std::make_unique<Db>(temp.path(), Db::Mode::ReadOnly);
  out.db->open_readers(reader_count());
  if (keep_file)
    out.file = std::move(temp);
  else
    temp.remove();  // every connection is open: the data lives on in them, the file is gone
  return out;
}

}  // namespace kvsnap
