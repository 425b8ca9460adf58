#include "store/db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "store/embedded.h"

namespace kvsnap {

std::string_view embedded_file(std::string_view path) {
  for (const EmbeddedFile* f = embedded_files(); f->path; ++f)
    if (path == f->path) return {f->data, f->size};
  return {};
}

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &s_, nullptr) != SQLITE_OK)
    throw DbError(fmt::format("SQL error: {} in: {}", sqlite3_errmsg(db), sql.substr(0, 200)));
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

// A bind that fails leaves the parameter NULL, which would surface later as a misleading
// constraint error ("NOT NULL constraint failed: kv.value" for a value over SQLite's 1 GB): say
// what failed where it fails.
static void check_bind(sqlite3_stmt* s, int rc, int i, size_t bytes) {
  if (rc == SQLITE_OK) return;
  const char* name = sqlite3_bind_parameter_name(s, i);
  const char* sql = sqlite3_sql(s);
  throw DbError(fmt::format("cannot bind parameter {}{}{} ({} bytes): {} (code {}) in: {}", i, name ? " " : "",
                            name ? name : "", bytes, sqlite3_errstr(rc), rc,
                            std::string_view(sql ? sql : "").substr(0, 200)));
}

Stmt& Stmt::bind_null(int i) {
  check_bind(s_, sqlite3_bind_null(s_, i), i, 0);
  return *this;
}
Stmt& Stmt::bind(int i, int64_t v) {
  check_bind(s_, sqlite3_bind_int64(s_, i, v), i, 8);
  return *this;
}
Stmt& Stmt::bind(int i, std::optional<int64_t> v) { return v ? bind(i, *v) : bind_null(i); }
Stmt& Stmt::bind_text(int i, std::string_view v) {
  check_bind(s_, sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), i, v.size());
  return *this;
}
Stmt& Stmt::bind_text(int i, const std::optional<std::string>& v) { return v ? bind_text(i, *v) : bind_null(i); }
Stmt& Stmt::bind_blob(int i, std::string_view v) {
  // A zero-length blob must still be a BLOB, not NULL: pass a non-null pointer.
  static const char empty = 0;
  check_bind(s_, sqlite3_bind_blob64(s_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_TRANSIENT), i, v.size());
  return *this;
}

Stmt& Stmt::bind_text_ref(int i, std::string_view v) {
  check_bind(s_, sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8), i, v.size());
  return *this;
}
Stmt& Stmt::bind_blob_ref(int i, std::string_view v) {
  static const char empty = 0;
  check_bind(s_, sqlite3_bind_blob64(s_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_STATIC), i, v.size());
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = describe_db_error(db_, rc);
  int ext = sqlite3_extended_errcode(db_);
  sqlite3_reset(s_);
  throw DbError(msg, ext);
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);  // drops the (static) pointers of the run that just ended
}

std::string Stmt::text(int col) const {
  auto* p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(s_, col))) : std::string();
}

std::string_view Stmt::blob(int col) const {
  auto* p = sqlite3_column_blob(s_, col);
  return p ? std::string_view(static_cast<const char*>(p), size_t(sqlite3_column_bytes(s_, col))) : std::string_view();
}

namespace {

// One connection, as every Db has it: extended result codes, a busy timeout. Throws DbError.
sqlite3* open_connection(const std::string& path, int flags) {
  // SQLite counts the memory it allocates under one process-wide mutex, on every allocation:
  // threads working side by side (the checks, kvdiff, the import's writer) queue on it. Nothing
  // here reads the counts. Set before SQLite initializes, at the first open.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw DbError(fmt::format("{}: cannot open database: {}", path, msg));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

}  // namespace

Db::Db(const std::string& path, Mode mode) : path_(path) {
  int flags = mode == Mode::ReadOnly    ? SQLITE_OPEN_READONLY
              : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  db_ = open_connection(path, flags);
  if (mode == Mode::ReadOnly) roll_back_hot_journal();
}

// A database whose import was killed keeps a hot journal (<db>-journal) until a connection that
// may write rolls it back; a read-only connection cannot, and every read fails with "attempt to
// write a readonly database". Do what any writer would do first: roll it back, then read.
void Db::roll_back_hot_journal() {
  int rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_READONLY_ROLLBACK && sqlite3_extended_errcode(db_) != SQLITE_READONLY_ROLLBACK) return;
  sqlite3_close_v2(db_);
  db_ = nullptr;
  int wrc = SQLITE_CANTOPEN;
  try {
    sqlite3* rw = open_connection(path_, SQLITE_OPEN_READWRITE);
    wrc = sqlite3_exec(rw, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    sqlite3_close_v2(rw);
  } catch (const DbError&) {
  }
  if (wrc != SQLITE_OK)
    throw DbError(fmt::format(
        "{}: an import into this database was interrupted and left {}-journal, which must be rolled back before "
        "the database can be read, and this user cannot write it. Someone who can should run kvimport or "
        "`sqlite3 {} 'PRAGMA schema_version'` once (or copy the database together with its -journal file)",
        path_, path_, path_));
  db_ = open_connection(path_, SQLITE_OPEN_READONLY);
}

Db& Db::reader(size_t i) {
  while (readers_.size() <= i) {
    readers_.push_back(std::make_unique<Db>(path_, Mode::ReadOnly));
    readers_.back()->enable_mmap();
    for (const auto& [path, schema] : attached_) readers_.back()->attach(path, schema);
  }
  return *readers_[i];
}

void Db::attach(const std::string& path, const std::string& schema) {
  Stmt s = prepare("ATTACH DATABASE ?1 AS " + schema);
  s.bind_text(1, path).run();
  for (auto& r : readers_) r->attach(path, schema);
  attached_.emplace_back(path, schema);
}

void Db::open_readers(size_t n) {
  if (n > 0) reader(n - 1);
}

std::string describe_db_error(sqlite3* db, int rc) {
  int ext = sqlite3_extended_errcode(db);
  int sys = sqlite3_system_errno(db);
  std::string msg = sqlite3_errmsg(db);
  if ((rc & 0xff) == SQLITE_FULL || sys == ENOSPC)
    return fmt::format("the disk is full (SQLite: {}); free some space or set TMPDIR (temporary files) elsewhere", msg);
  if (sys == EFBIG)
    return fmt::format("the file became larger than the file-size limit (ulimit -f) allows (SQLite: {})", msg);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    return fmt::format("the database is locked by another process (an import running?) (SQLite: {})", msg);
  if ((rc & 0xff) == SQLITE_IOERR && sys != 0)
    return fmt::format("{}: {} (SQLite code {})", msg, std::strerror(sys), ext);
  return fmt::format("{} (code {})", msg, ext);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::enable_mmap() { exec("PRAGMA mmap_size = 17179869184"); }

void Db::start_writeback() {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  ::close(fd);
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = describe_db_error(db_, rc);
    sqlite3_free(err);
    throw DbError(fmt::format("{}: {}", path_, msg));
  }
}

int64_t Db::query_int(std::string_view sql) {
  Stmt s = prepare(sql);
  return s.step() ? s.int64(0) : 0;
}

Transaction::Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace kvsnap
