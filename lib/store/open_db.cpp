#include "store/open_db.h"

#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "io/input.h"
#include "store/import_file.h"
#include "util/error.h"

namespace kvsnap {

bool is_sqlite_file(const std::string& path) {
  if (path == "-" || is_directory(path)) return false;
  std::ifstream f(path, std::ios::binary);
  char head[16] = {};
  f.read(head, 16);
  return f.gcount() == 16 && std::memcmp(head, "SQLite format 3\0", 16) == 0;
}

OpenedDb open_db_or_import(const std::string& path, std::optional<int64_t> at_revision, const std::string& name) {
  OpenedDb out;
  if (is_sqlite_file(path)) {
    out.db = std::make_unique<Db>(path, Db::Mode::ReadOnly);
    return out;
  }
  out.temp = TempFile("kvsnap");
  out.imported = true;
  {
    Db db(out.temp.path(), Db::Mode::Create);
    db.exec("PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF; PRAGMA page_size = 16384;");
    Transaction txn(db);
    ensure_schema(db);
    ImportRequest req;
    req.read.at_revision = at_revision;
    if (!name.empty()) req.name = name;
    import_path(db, path, req);
    txn.commit();
  }
  out.db = std::make_unique<Db>(out.temp.path(), Db::Mode::ReadOnly);
  return out;
}

}  // namespace kvsnap
