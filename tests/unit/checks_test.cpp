#include <doctest/doctest.h>

#include <algorithm>

#include "check/checks.h"
#include "store/import_file.h"
#include "store/schema.h"
#include "store/sql_functions.h"
#include "test_util.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

std::vector<Finding> run_one_check(Db& db, const std::string& id) {
  auto all = builtin_checks();
  std::vector<CheckDef> one;
  std::copy_if(all.begin(), all.end(), std::back_inserter(one), [&](const CheckDef& c) { return c.id == id; });
  REQUIRE(one.size() == 1);
  register_sql_functions(db);
  auto ctx = make_context(db, 1, ContextOverrides{});
  return run_checks(db, one, ctx).findings;
}

}  // namespace

TEST_CASE("lease-missing: a key attached to a lease the lease table lacks") {
  // etcd never produces this state through its API (a put with an unknown lease fails; revoking a
  // lease deletes its keys in the same transaction), so no real-etcd fixture can show it. The
  // check is shown on a real snapshot whose lease table then loses the row a key still names, as
  // a db whose lease bucket was damaged would read.
  Db db(":memory:", Db::Mode::Create);
  ensure_schema(db, ":memory:");
  import_path(db, fixture("etcd-3.4/snapshots/snap1.db"), ImportRequest{});
  CHECK(run_one_check(db, "lease-missing").empty());
  db.exec("DELETE FROM lease WHERE id = 2324035656460954387");
  auto f = run_one_check(db, "lease-missing");
  REQUIRE(f.size() == 1);
  CHECK(f[0].message == "1 key(s) are attached to lease 2040a21dc4b26b13, which is not in the lease table");
  CHECK(f[0].keys == std::vector<std::string>{"/app/leased"});
}

TEST_CASE("check headers: required fields, known severities and requirements") {
  auto c = parse_check("x.sql",
                       "-- id: a\n-- severity: info\n-- title: T\n-- meaning: one\n--   two\nSELECT 1 AS message\n");
  CHECK(c.id == "a");
  CHECK(c.severity == Severity::Info);
  CHECK(c.meaning == "one two");
  CHECK(c.sql == "SELECT 1 AS message\n");
  CHECK_THROWS_WITH_AS(parse_check("x.sql", "-- title: T\nSELECT 1"), "the header has no '-- id:' line", InputError);
  CHECK_THROWS_WITH_AS(parse_check("x.sql", "-- id: a\n-- title: T\n-- requires: moon\nSELECT 1"),
                       "unknown requirement 'moon' (now, leases, lease-info, baseline)", InputError);
  CHECK_THROWS_WITH_AS(parse_check("x.sql", "-- id: a\n-- title: T\n-- colour: red\nSELECT 1"),
                       "unknown header field 'colour' (known: id, severity, title, meaning, cause, action, requires)",
                       InputError);
  for (const auto& b : builtin_checks()) {
    CAPTURE(b.id);
    CHECK(b.origin == "built-in checks/" + b.id + ".sql");  // the file is named after its id
    CHECK(!b.meaning.empty());
    CHECK(!b.cause.empty());
    CHECK(!b.action.empty());
  }
}
