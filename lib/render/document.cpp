#include "render/document.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "util/codec.h"

namespace kvsnap {

Value Value::boolean(bool b) {
  Value v;
  v.kind = Kind::Bool;
  v.i = b;
  return v;
}

Value Value::integer(int64_t x) {
  Value v;
  v.kind = Kind::Int;
  v.i = x;
  return v;
}

Value Value::real(double x) {
  Value v;
  v.kind = Kind::Real;
  v.d = x;
  return v;
}

Value Value::text(std::string x) {
  Value v;
  v.kind = Kind::Text;
  v.s = std::move(x);
  return v;
}

Value Value::blob(std::string bytes) {
  Value v;
  v.kind = Kind::Blob;
  v.s = std::move(bytes);
  return v;
}

Value Value::of(boost::json::value j) {
  if (j.is_null()) return null();
  if (j.is_bool()) return boolean(j.as_bool());
  if (j.is_int64()) return integer(j.as_int64());
  if (j.is_uint64() && j.as_uint64() <= uint64_t(INT64_MAX)) return integer(int64_t(j.as_uint64()));
  if (j.is_double()) return real(j.as_double());
  if (j.is_string()) return text(std::string(j.as_string()));
  Value v;
  v.kind = Kind::Json;
  v.json = std::move(j);
  return v;
}

std::string display(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: return "";
    case Value::Kind::Bool: return v.i ? "true" : "false";
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Real: return fmt::format("{}", v.d);
    case Value::Kind::Text: return v.s;
    case Value::Kind::Blob: return is_valid_utf8(v.s) ? v.s : "base64:" + base64_encode(v.s);
    case Value::Kind::Json:
      if (v.json.is_string()) return std::string(v.json.as_string());
      return boost::json::serialize(v.json);
  }
  return "";
}

boost::json::value to_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: return nullptr;
    case Value::Kind::Bool: return v.i != 0;
    case Value::Kind::Int: return v.i;
    case Value::Kind::Real: return std::isfinite(v.d) ? boost::json::value(v.d) : boost::json::value(nullptr);
    case Value::Kind::Json: return v.json;
    default: return boost::json::string(display(v));
  }
}

Document rows_document(std::string tool, Section section) {
  Document d;
  d.tool = std::move(tool);
  d.title = section.title;
  d.shape = Document::Shape::Rows;
  make_column_names_unique(section);
  d.sections.push_back(std::move(section));
  return d;
}

Section text_section(std::string id, std::vector<std::string> columns, std::vector<std::vector<std::string>> rows) {
  Section s;
  s.id = std::move(id);
  s.title = s.id;
  for (auto& c : columns) s.columns.push_back({std::move(c), ""});
  for (auto& r : rows) {
    std::vector<Value> row;
    for (auto& v : r) row.push_back(Value::text(std::move(v)));
    s.rows.push_back(std::move(row));
  }
  return s;
}

std::vector<size_t> people_columns(const Section& s) {
  std::vector<size_t> out;
  for (size_t c = 0; c < s.columns.size(); ++c)
    if (s.columns[c].audience != Audience::Programs) out.push_back(c);
  return out;
}

const std::string& column_header(const Column& c) { return c.title.empty() ? c.name : c.title; }

void make_column_names_unique(Section& s) {
  std::set<std::string> seen;
  for (auto& c : s.columns) {
    std::string name = c.name;
    for (int n = 2; seen.count(name); ++n) name = fmt::format("{}_{}", c.name, n);
    seen.insert(name);
    c.name = name;
  }
}

}  // namespace kvsnap
