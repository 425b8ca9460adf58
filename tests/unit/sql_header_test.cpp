#include <doctest/doctest.h>

#include "check/checks.h"
#include "diff/diff.h"
#include "query/query.h"
#include "util/error.h"
#include "util/sql_header.h"

using namespace kvsnap;

namespace {

constexpr SqlHeaderField kFields[] = {
    {"id", true},
    {"title", false, false, true},
    {"param", false, true},
};

// The message and place of the InputError parsing `text` throws ("" when it throws none).
std::string error_of(std::string_view text) {
  try {
    parse_sql_file("x.sql", text, kFields);
  } catch (const InputError& e) {
    return e.describe();
  }
  return "";
}

}  // namespace

TEST_CASE("SQL file header: fields, continuation lines, repeatable fields and the body") {
  SqlFile f = parse_sql_file("x.sql",
                             "-- id: a\n"
                             "-- title: one\n"
                             "--   two\n"
                             "--\n"
                             "--   three\n"
                             "-- param: p the first\n"
                             "-- param: q\n"
                             "SELECT 1;\n",
                             kFields);
  CHECK(f.value("id") == "a");
  CHECK(f.value("title") == "one two three");
  REQUIRE(f.all("param").size() == 2);
  CHECK(f.all("param")[0]->value == "p the first");
  CHECK(f.all("param")[1]->line == 7);
  CHECK(f.value("absent").empty());
  CHECK(f.find("absent") == nullptr);
  CHECK(f.body == "SELECT 1;\n");
  CHECK(f.body_line == 8);

  // A blank line ends the header: the comments after it are SQL. CRLF lines read the same.
  f = parse_sql_file("x.sql", "-- id: a\r\n\r\n-- not: a field\r\nSELECT 1", kFields);
  CHECK(f.value("id") == "a");
  CHECK(f.body == "\r\n-- not: a field\r\nSELECT 1");
  // A continuation line may start the value of an empty field; "word:" inside prose is no field.
  f = parse_sql_file("x.sql", "-- id: a\n-- title:\n--   see http://x: y\nSELECT 1", kFields);
  CHECK(f.value("title") == "see http://x: y");
}

TEST_CASE("SQL file header: every error names the file and the line") {
  CHECK(error_of("-- id: a\n-- colour: red\nSELECT 1") ==
        "x.sql: line 2: unknown header field 'colour' (known: id, title, param)");
  CHECK(error_of("-- title: t\nSELECT 1") == "x.sql: line 1: the header has no '-- id:' line");
  CHECK(error_of("-- id:\nSELECT 1") == "x.sql: line 1: the '-- id:' line is empty");
  CHECK(error_of("-- id: a\n-- title: t\n-- title: u\nSELECT 1") ==
        "x.sql: line 3: header field 'title' given twice (first on line 2)");
  CHECK(error_of("-- id: a\n-- param: p\n-- param: q\nSELECT 1").empty());  // repeatable
  CHECK(error_of("-- id: a\n--   more\nSELECT 1") ==
        "x.sql: line 2: expected '-- name: value' (the 'id' field does not go on over several lines; a blank line "
        "ends the header)");
  CHECK(error_of("-- just a comment\n-- id: a\nSELECT 1") ==
        "x.sql: line 1: expected '-- name: value' (a blank line ends the header)");
  CHECK(error_of("-- id: a\n") == "x.sql: line 2: no SQL after the header");
  CHECK(error_of("-- id: a\n-- title: t") == "x.sql: line 3: no SQL after the header");
  CHECK(error_of("-- id: a\n\n  \n") == "x.sql: line 2: no SQL after the header");
}

TEST_CASE("SQL file header: checks, saved queries and entities read theirs through it") {
  CHECK_THROWS_WITH_AS(parse_check("c.sql", "-- id: a\n-- title: T\n-- id: b\nSELECT 1"),
                       "header field 'id' given twice (first on line 1)", InputError);
  CHECK_THROWS_WITH_AS(parse_check("c.sql", "-- id: a\n-- title: T\n-- severity: fatal\nSELECT 1"),
                       "severity 'fatal' is not error, warning or info", InputError);
  auto two = parse_check("c.sql", "-- id: a\n-- title: T\n-- requires: now\n-- requires: leases\nSELECT 1");
  CHECK(two.requires_ == std::vector<std::string>{"now", "leases"});

  auto q = parse_saved_query("q", "q.sql", "-- description: D\n--   more\n-- param: pod the pod name\nSELECT :pod");
  CHECK(q.description == "D more");
  REQUIRE(q.params.size() == 1);
  CHECK(q.params[0].name == "pod");
  CHECK(q.params[0].description == "the pod name");
  CHECK(q.sql == "SELECT :pod");
  CHECK_THROWS_WITH_AS(parse_saved_query("q", "q.sql", "-- description: D\n-- parm: x\nSELECT 1"),
                       "unknown header field 'parm' (known: description, param)", InputError);
  CHECK_THROWS_WITH_AS(parse_saved_query("q", "q.sql", "-- param: x\nSELECT 1"),
                       "the header has no '-- description:' line", InputError);

  // The built-in files all parse (builtin_* throw otherwise) and keep what they say.
  CHECK(builtin_checks().size() >= 30);
  auto queries = builtin_queries();
  CHECK(queries.size() >= 8);
  for (const auto& sq : queries) {
    CAPTURE(sq.name);
    CHECK(!sq.description.empty());
    if (sq.name == "pod-endpoints") CHECK(sq.params.at(0).name == "pod");
  }
  auto entities = builtin_entities();
  REQUIRE(entities.size() == 7);
  CHECK(entities[1].name == "identity");
  CHECK(entities[1].moved_by == "labels");
  CHECK(entities[1].label_sets == std::vector<std::string>{"labels"});
  for (const auto& e : entities) {
    CAPTURE(e.name);
    CHECK(!e.description.empty());
    CHECK(e.sql.find("SELECT") != std::string::npos);
  }
}
