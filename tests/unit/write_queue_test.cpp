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

TEST_CASE("a statement of more than 1 MiB runs at once, in order, without a copy; a view without bytes is NULL") {
  Db db(":memory:", Db::Mode::Create);
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB, s TEXT)");
  Stmt ins = db.prepare("INSERT INTO t(id, b, s) VALUES (?, ?, ?)");
  // s = the rows already there: it tells whether the large row ran after every row before it.
  Stmt ins_counting = db.prepare("INSERT INTO t(id, b, s) SELECT ?, ?, count(*) FROM t");
  std::string big(size_t(3) << 20, 'v');
  big[12345] = '\0';
  WriteQueue q;
  q.start();
  for (int i = 1; i <= 3000; ++i) {
    if (i % 1000 == 0) {
      q.run(ins_counting, {i, SqlValue::blob(big)});
    } else {
      q.run(ins, {i, SqlValue::blob(blob_of(i)), std::string_view()});
    }
  }
  q.stop();
  CHECK(db.query_int("SELECT count(*) FROM t") == 3000);
  CHECK(db.query_int("SELECT count(*) FROM t WHERE length(b) = 3145728") == 3);
  CHECK(db.query_int("SELECT count(*) FROM t WHERE b = zeroblob(0)") == 0);
  Stmt read = db.prepare("SELECT b FROM t WHERE id = 2000");
  REQUIRE(read.step());
  CHECK(read.blob(0) == big);
  Stmt counted = db.prepare("SELECT group_concat(s) FROM t WHERE s IS NOT NULL");
  REQUIRE(counted.step());
  CHECK(counted.text(0) == "999,1999,2999");
  // A default string_view has no pointer: as text NULL at once (SQLite's rule) and NULL when
  // queued; as a blob an empty blob either way.
  CHECK(db.query_int("SELECT count(*) FROM t WHERE id % 1000 <> 0 AND s IS NULL") == 2997);
  q.start();
  for (int i = 3001; i <= 5000; ++i) q.run(ins, {i, SqlValue::blob(std::string_view()), SqlValue("x")});
  q.stop();
  CHECK(db.query_int("SELECT count(*) FROM t WHERE id > 3000 AND typeof(b) = 'blob' AND length(b) = 0") == 2000);
}
