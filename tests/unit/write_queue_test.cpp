// The import's write queue: statements queued for the second thread run in call order with the
// bytes they were given, an error there reaches the caller, and a queue dropped mid-way (a
// failed import) ends cleanly.
#include <doctest/doctest.h>

#include <string>

#include "store/db.h"
#include "store/write_queue.h"

using namespace kvsnap;

namespace {

// Row i: a blob holding NUL and 0xff bytes, long enough that many rows fill several chunks.
std::string blob_of(int i) {
  std::string b("k\0\xff", 3);
  b.append(std::to_string(i));
  b.append(size_t(i % 700), char('a' + i % 26));
  return b;
}

}  // namespace

TEST_CASE("queued statements run in order with the bytes they were given") {
  Db db(":memory:", Db::Mode::Create);
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB, s TEXT, n INTEGER)");
  Stmt ins = db.prepare("INSERT INTO t(id, b, s, n) VALUES (?, ?, ?, ?)");
  Stmt upd = db.prepare("UPDATE t SET n = n + ? WHERE id = ?");
  constexpr int kRows = 20000;
  {
    WriteQueue q;
    q.start();
    for (int i = 1; i <= kRows; ++i) {
      std::string b = blob_of(i);
      q.run(ins, {i, SqlValue::blob(b), i % 3 ? SqlValue("text") : SqlValue(), int64_t(i)});
      b.assign("overwritten after run(): the queue holds its own copy");
      // Depends on the insert above having run first.
      if (i % 1000 == 0) q.run(upd, {int64_t(1), i});
    }
    q.sync();
    CHECK(db.query_int("SELECT count(*) FROM t") == kRows);
    q.run(ins, {kRows + 1, SqlValue::blob("x"), SqlValue(), int64_t(0)});
    q.stop();  // runs what is queued
    CHECK(db.query_int("SELECT count(*) FROM t") == kRows + 1);
    // Stopped, a statement runs at once.
    q.run(ins, {kRows + 2, SqlValue::blob("y"), SqlValue(), int64_t(0)});
    CHECK(db.query_int("SELECT count(*) FROM t") == kRows + 2);
  }
  Stmt read = db.prepare("SELECT id, b, s, n FROM t WHERE id <= ? ORDER BY id");
  read.bind(1, int64_t(kRows));
  int i = 0, wrong = 0;
  while (read.step()) {
    ++i;
    bool ok = read.int64(0) == i && read.blob(1) == blob_of(i) && read.is_null(2) == (i % 3 == 0) &&
              read.int64(3) == i + (i % 1000 == 0 ? 1 : 0);
    if (!ok) ++wrong;
  }
  CHECK(i == kRows);
  CHECK(wrong == 0);
}

TEST_CASE("an error on the thread reaches the caller, and nothing queued after it runs") {
  Db db(":memory:", Db::Mode::Create);
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Stmt ins = db.prepare("INSERT INTO t(id) VALUES (?)");
  WriteQueue q;
  q.start();
  bool thrown = false;
  try {
    for (int i = 1; i <= 10; ++i) q.run(ins, {i});
    q.run(ins, {5});  // a second row 5: UNIQUE constraint failed
    // The error reaches the caller at the next chunk handed over, or at sync() at the latest.
    for (int i = 11; i <= 20000; ++i) q.run(ins, {i});
    q.sync();
  } catch (const DbError& e) {
    thrown = true;
    CHECK(std::string(e.what()).find("UNIQUE") != std::string::npos);
  }
  CHECK(thrown);
  CHECK(db.query_int("SELECT count(*) FROM t") == 10);
}

TEST_CASE("a queue dropped with statements still queued ends its thread and leaves the connection usable") {
  Db db(":memory:", Db::Mode::Create);
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
  Stmt ins = db.prepare("INSERT INTO t(id, b) VALUES (?, ?)");
  {
    WriteQueue q;
    q.start();
    for (int i = 1; i <= 50000; ++i) q.run(ins, {i, SqlValue::blob(blob_of(i))});
  }
  int64_t n = db.query_int("SELECT count(*) FROM t");
  CHECK(n <= 50000);
  db.exec("DELETE FROM t");
  CHECK(db.query_int("SELECT count(*) FROM t") == 0);
}
