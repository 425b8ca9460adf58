#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Errors throw DbError with SQLite's message.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kvsnap {

class DbError : public std::runtime_error {
 public:
  explicit DbError(const std::string& what, int code = 0) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // SQLite's extended result code, 0 when not from SQLite

 private:
  int code_;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  // Takes ownership of a statement prepared elsewhere.
  static Stmt adopt(sqlite3* db, sqlite3_stmt* s) {
    Stmt out;
    out.db_ = db;
    out.s_ = s;
    return out;
  }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;

  Stmt& bind_null(int i);
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::optional<int64_t> v);
  Stmt& bind_text(int i, std::string_view v);
  Stmt& bind_text(int i, const std::string& v) { return bind_text(i, std::string_view(v)); }
  Stmt& bind_text(int i, const char* v) { return bind_text(i, std::string_view(v)); }
  Stmt& bind_text(int i, const std::optional<std::string>& v);
  Stmt& bind_blob(int i, std::string_view v);
  // Without a copy: the bytes must stay alive until the statement has run (hot paths only).
  Stmt& bind_text_ref(int i, std::string_view v);
  Stmt& bind_blob_ref(int i, std::string_view v);
  bool step();  // true when a row is available
  void run();   // step to completion and reset
  void reset();

  int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::string_view blob(int col) const;
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  enum class Mode { ReadOnly, ReadWrite, Create };
  Db(const std::string& path, Mode mode);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  // Reads through a memory map instead of a read() per page. Checks and queries that probe
  // whole snapshots through indexes run several times faster; the mapped pages are page cache
  // (they count in RSS, but are not copies). A sequential read gains nothing from it (kvdiff's
  // key merge on its main connections measured the same); the readers have it anyway.
  void enable_mmap();
  // Starts writing the file's pages that the OS holds to disk, without waiting (sync_file_range):
  // a later fsync then finds most of them written. A bulk import calls it when its rows are in,
  // so that the disk writes them while the indexes are built. Best effort: errors are the fsync's.
  void start_writeback();
  Stmt prepare(std::string_view sql) { return Stmt(db_, sql); }
  // The i-th extra read-only connection to the same file (with mmap), for work split over
  // threads. Opened on first use; open_readers(n) opens the first n now, which lets the caller
  // unlink a temporary database file afterwards (open connections keep reading it).
  Db& reader(size_t i);
  void open_readers(size_t n);
  // ATTACHes another database file (read-only when this connection is) as `schema`, on this
  // connection, on every reader and on readers opened later (kvcheck --baseline: `old`). The
  // file may be unlinked once this and every reader it needs are attached.
  void attach(const std::string& path, const std::string& schema);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int64_t query_int(std::string_view sql);
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  void roll_back_hot_journal();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::vector<std::unique_ptr<Db>> readers_;
  std::vector<std::pair<std::string, std::string>> attached_;  // path, schema
};

// SQLite's message for the last error of a connection, with what it means for the user where
// SQLite's own words do not say it (a full disk, the file-size limit, a locked database).
std::string describe_db_error(sqlite3* db, int rc);

// Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace kvsnap
