#pragma once
// Query results rendered for a terminal or for programs: table, csv, json, ndjson, markdown.
// One renderer per format, in a table; every tool that prints rows uses these.
#include <optional>
#include <string>
#include <vector>

namespace kvsnap {

struct Cell {
  enum class Type { Null, Integer, Real, Text, Blob } type = Type::Null;
  int64_t i = 0;
  double d = 0;
  std::string s;  // text, or the raw bytes of a blob
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

struct RowFormat {
  const char* name;
  const char* description;
  std::string (*render)(const ResultSet&);
};

const std::vector<RowFormat>& row_formats();
const RowFormat* find_row_format(std::string_view name);

// A cell as text: integers and reals as SQLite prints them, BLOBs that are valid UTF-8 as
// text, other BLOBs as "base64:<standard base64>".
std::string cell_text(const Cell& c);

}  // namespace kvsnap
