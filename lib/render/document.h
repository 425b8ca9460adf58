#pragma once
// What every tool prints, before it is printed: a Document. A tool builds one (a title, a few
// facts, named sections of rows with typed columns); one table of output formats
// (render/output.h) renders any document, each format with its one escaper. Tools' mains render
// nothing themselves, so `-o json` means the same thing in every tool.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace kvsnap {

// A typed value: a cell of a row, or a fact.
struct Value {
  enum class Kind { Null, Bool, Int, Real, Text, Blob, Json };
  Kind kind = Kind::Null;
  int64_t i = 0;            // Int, Bool (0/1)
  double d = 0;             // Real
  std::string s;            // Text, or the bytes of a Blob
  boost::json::value json;  // Json: structured data (an array of keys, an object of details)

  static Value null() { return {}; }
  static Value boolean(bool b);
  static Value integer(int64_t v);
  static Value real(double v);
  static Value text(std::string v);
  static Value blob(std::string bytes);
  static Value of(boost::json::value v);  // JSON scalars become Int/Real/Text/Bool/Null
  bool is_null() const { return kind == Kind::Null; }
  bool is_number() const { return kind == Kind::Int || kind == Kind::Real; }
};

// A value as a person reads it: integers and reals as SQLite prints them, text as it is, BLOBs
// that are valid UTF-8 as text and others as "base64:...", JSON strings without quotes and other
// JSON compact. Not escaped: the format escapes.
std::string display(const Value& v);
// A value in JSON: numbers stay numbers (reals in shortest form, non-finite as null), BLOBs as
// their display text.
boost::json::value to_json(const Value& v);

// Who a column is for. People columns (a sentence that repeats other columns, a headline) are in
// text, markdown and html only; Programs columns (structured details) in json, ndjson and csv only.
enum class Audience { Both, People, Programs };

struct Column {
  std::string name;   // the key in json, ndjson and csv; unique within its section
  std::string title;  // the header for people ("" = the name)
  Audience audience = Audience::Both;
};

// How text, markdown and html show a section.
enum class Layout {
  Table,    // aligned columns: query results, lists, counts
  Records,  // a block per row: the headline column, then the items column one entry a line
};

struct Section {
  std::string id;     // stable machine name, e.g. "check/ip-identity-missing", "changes/ipcache"
  std::string title;  // for people
  std::string tag;    // error, warning, info, added, removed, changed, moved, ok: colour and html filters
  // Labelled paragraphs said once for the section (cause, action), in this order.
  std::vector<std::pair<std::string, std::string>> notes;
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
  Layout layout = Layout::Table;
  int headline = 0;  // Records: the column that opens each record
  int items = -1;    // Records: a column of JSON arrays listed one entry a line (at most RenderOptions::max_items)
  bool all_items = false;  // Records: list every entry whatever the options say (a report's own lines)
  bool bullets = true;  // Records: text and markdown start each record with "- " (off: the headline has its own mark)
  std::string empty;    // said when there are no rows ("" = the section is left out when empty)
  // What formats beyond the generic ones read (sarif, junit: "severity", "failing", "origin").
  std::map<std::string, std::string> attrs;
};

struct Fact {
  std::string key;    // the key in json
  std::string label;  // for people ("" = json only)
  Value value;
  std::string shown = {};  // what people read instead of the value ("" = the value)
};

// A picture for html, drawn as inline SVG from the database by whoever builds the document.
struct Figure {
  std::string id, title, caption;
  std::string svg;  // a complete <svg> element
};

struct Document {
  std::string tool;   // "kvcheck", ...: the html page's title and json's "tool"
  std::string title;  // the first line for people
  // Rows: the one section's rows are the whole output (kvquery results, --list-*): json is an
  // array of objects. Report: facts and sections (json: an object).
  enum class Shape { Rows, Report } shape = Shape::Report;
  std::vector<Fact> facts;
  std::vector<Section> sections;
  std::vector<Figure> figures;
  // csv and ndjson print one table: the rows of the sections whose id starts with this (they share
  // their columns). Rows documents: their one section.
  std::string rows_of;
  bool findings = false;  // a kvcheck report: sarif and junit render it too
  int exit_status = 0;    // what the tool exits with (sarif's invocation, junit)
};

// A Rows document of one section (kvquery's results, the --list-* outputs).
Document rows_document(std::string tool, Section section);
// A section of text columns (names) and rows of text, for the simple lists.
Section text_section(std::string id, std::vector<std::string> columns, std::vector<std::vector<std::string>> rows);

// The columns people read (text, markdown, html), by index, and a column's header for them.
std::vector<size_t> people_columns(const Section& s);
const std::string& column_header(const Column& c);

// Column names made unique within a section ("labels", "labels_2"): json objects never hold a
// key twice.
void make_column_names_unique(Section& s);

}  // namespace kvsnap
