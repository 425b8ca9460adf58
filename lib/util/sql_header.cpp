#include "util/sql_header.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/text.h"

namespace kvsnap {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// "name: value" -> name and value; false when the line is no field line.
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
  size_t n = 0;
  while (n < line.size() && is_name_char(line[n])) ++n;
  if (n == 0 || n == line.size() || line[n] != ':') return false;
  if (n + 1 < line.size() && line[n + 1] != ' ' && line[n + 1] != '\t') return false;  // "http://..."
  name = line.substr(0, n);
  value = trim_view(line.substr(n + 1));
  return true;
}

std::string field_list(std::span<const SqlHeaderField> allowed) {
  std::string out;
  for (const auto& f : allowed) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

}  // namespace

const SqlHeaderValue* SqlFile::find(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::string SqlFile::value(std::string_view name) const {
  const SqlHeaderValue* f = find(name);
  return f ? f->value : std::string();
}

std::vector<const SqlHeaderValue*> SqlFile::all(std::string_view name) const {
  std::vector<const SqlHeaderValue*> out;
  for (const auto& f : fields)
    if (f.name == name) out.push_back(&f);
  return out;
}

SqlFile parse_sql_file(const std::string& origin, std::string_view text, std::span<const SqlHeaderField> allowed) {
  SqlFile out;
  size_t pos = 0;
  int line_no = 0;
  const SqlHeaderField* last = nullptr;  // the field a continuation line would extend
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.substr(0, 2) != "--") break;
    ++line_no;
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    auto where = fmt::format("line {}", line_no);
    std::string_view content = trim_view(line.substr(2));
    std::string_view name, value;
    if (!split_field(content, name, value)) {
      if (content.empty()) continue;
      if (!last || !last->continued)
        throw InputError(origin, where,
                         last ? fmt::format("expected '-- name: value' (the '{}' field does not go on over several "
                                            "lines; a blank line ends the header)",
                                            last->name)
                              : "expected '-- name: value' (a blank line ends the header)");
      std::string& v = out.fields.back().value;
      if (!v.empty()) v += ' ';
      v += content;
      continue;
    }
    const SqlHeaderField* def = nullptr;
    for (const auto& f : allowed)
      if (name == f.name) def = &f;
    if (!def)
      throw InputError(origin, where, fmt::format("unknown header field '{}' (known: {})", name, field_list(allowed)));
    if (!def->repeatable)
      if (const SqlHeaderValue* first = out.find(name))
        throw InputError(origin, where,
                         fmt::format("header field '{}' given twice (first on line {})", name, first->line));
    out.fields.push_back({std::string(name), std::string(value), line_no});
    last = def;
  }
  out.body = std::string(text.substr(pos));
  out.body_line = line_no + 1;
  for (const auto& f : allowed) {
    if (!f.required) continue;
    const SqlHeaderValue* v = out.find(f.name);
    if (!v) throw InputError(origin, "line 1", fmt::format("the header has no '-- {}:' line", f.name));
    if (v->value.empty())
      throw InputError(origin, fmt::format("line {}", v->line), fmt::format("the '-- {}:' line is empty", f.name));
  }
  if (out.body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(origin, fmt::format("line {}", out.body_line), "no SQL after the header");
  return out;
}

}  // namespace kvsnap
