#pragma once
// kvsnap's SQL files (schema/checks, schema/queries, schema/entities, kvcheck --checks-dir) start
// with a header of "-- name: value" lines. One parser reads all of them; each kind of file passes
// the table of fields it allows, so a misspelt or repeated field is an error in every kind, with
// the file and line, instead of being read three ways with three strictnesses.
//
// The header is the leading lines that start with "--"; the first other line (an empty one too)
// ends it, so comments after a blank line belong to the SQL. A field line is "-- name: value"
// (name: letters, digits, '-', '_' or '.', then ':' and a space or the end of the line). Any other
// header line continues the field above it ("--   more words" appends " more words") where the
// table allows that; an empty "--" line is ignored.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvsnap {

// One field a kind of SQL file allows.
struct SqlHeaderField {
  const char* name;
  bool required = false;
  bool repeatable = false;
  bool continued = false;  // may go on over several "--" lines (long prose)
};

struct SqlHeaderValue {
  std::string name, value;
  int line = 0;  // the line the field starts on, from 1
};

struct SqlFile {
  std::vector<SqlHeaderValue> fields;  // in file order
  std::string body;                    // everything after the header
  int body_line = 1;                   // the line the body starts on

  // The first field of this name, or nullptr.
  const SqlHeaderValue* find(std::string_view name) const;
  // Its value, or "" when absent.
  std::string value(std::string_view name) const;
  // Every field of this name (repeatable fields), in file order.
  std::vector<const SqlHeaderValue*> all(std::string_view name) const;
};

// Parses `text` (read from `origin`, which error messages name). Throws InputError naming the
// origin and line for a field the table does not have, a required field that is missing, a field
// given twice that is not repeatable, a line that continues a field that cannot continue, and a
// body without SQL.
SqlFile parse_sql_file(const std::string& origin, std::string_view text, std::span<const SqlHeaderField> allowed);

}  // namespace kvsnap
