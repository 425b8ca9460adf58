// The markdown format: for a ticket or a pull request. Facts as a table, sections as headings
// with their notes, rows as pipe tables or as nested lists. One escaper: markdown's special
// characters backslashed, newlines as <br>, control bytes as \xNN.
#include <fmt/format.h>

#include "render/output.h"
#include "util/text.h"

namespace kvsnap {
namespace {

std::string md(std::string_view s) {
  std::string out;
  for (char c : terminal_safe(s)) {
    if (c == '\n') {
      out += "<br>";
      continue;
    }
    if (c == '\r') continue;
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string table(const Section& s) {
  std::vector<size_t> cols = people_columns(s);
  std::string out = "|";
  for (size_t c : cols) {
    out += ' ';
    out += md(column_header(s.columns[c]));
    out += " |";
  }
  out += "\n|";
  for (size_t c : cols) {
    bool numeric = !s.rows.empty();
    for (const auto& r : s.rows) numeric = numeric && (r[c].is_number() || r[c].is_null());
    out += numeric ? " ---: |" : " --- |";
  }
  out += "\n";
  for (const auto& r : s.rows) {
    out += "|";
    for (size_t c : cols) {
      out += ' ';
      out += md(display(r[c]));
      out += " |";
    }
    out += "\n";
  }
  return out;
}

std::string records(const Section& s, const RenderOptions& o) {
  std::string out;
  for (const auto& row : s.rows) {
    out += "- " + md(display(row[size_t(s.headline)])) + "\n";
    if (s.items < 0) continue;
    const Value& items = row[size_t(s.items)];
    if (items.kind != Value::Kind::Json || !items.json.is_array()) continue;
    const auto& arr = items.json.get_array();
    size_t shown = o.all || s.all_items ? arr.size() : std::min(arr.size(), o.max_items);
    for (size_t i = 0; i < shown; ++i) out += "  - " + md(display(Value::of(arr[i]))) + "\n";
    if (arr.size() > shown) out += fmt::format("  - ... and {} more\n", arr.size() - shown);
  }
  return out;
}

}  // namespace

std::string render_markdown(const Document& d, const RenderOptions& o) {
  std::string out;
  if (d.shape == Document::Shape::Rows) {
    for (const auto& s : d.sections) out += s.layout == Layout::Records ? records(s, o) : table(s);
    return out;
  }
  out += "## " + md(d.title) + "\n\n";
  bool any = false;
  for (const auto& f : d.facts) {
    if (f.label.empty()) continue;
    if (!any) out += "| | |\n|---|---|\n";
    any = true;
    out += "| " + md(f.label) + " | " + md(f.shown.empty() ? display(f.value) : f.shown) + " |\n";
  }
  for (const auto& s : d.sections) {
    if (s.rows.empty() && s.empty.empty()) continue;
    out += fmt::format("\n### {} ({})\n\n", md(s.title), s.rows.size());
    for (const auto& [label, text] : s.notes) out += "**" + md(label) + ":** " + md(text) + "\n\n";
    if (s.rows.empty())
      out += md(s.empty) + "\n";
    else
      out += s.layout == Layout::Records ? records(s, o) : table(s);
  }
  return out;
}

}  // namespace kvsnap
