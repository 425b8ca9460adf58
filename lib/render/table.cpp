#include "render/table.h"

#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "util/text.h"

#include "util/codec.h"

namespace kvsnap {

std::string cell_text(const Cell& c) {
  switch (c.type) {
    case Cell::Type::Null: return "";
    case Cell::Type::Integer: return std::to_string(c.i);
    case Cell::Type::Real: return fmt::format("{}", c.d);
    case Cell::Type::Text: return c.s;
    case Cell::Type::Blob: return is_valid_utf8(c.s) ? c.s : "base64:" + base64_encode(c.s);
  }
  return "";
}

namespace {

// Display width in a terminal: code points, not bytes (wide CJK is not special-cased).
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string render_table(const ResultSet& r) {
  std::vector<size_t> width(r.columns.size());
  std::vector<std::vector<std::string>> cells;
  for (size_t c = 0; c < r.columns.size(); ++c) width[c] = display_width(r.columns[c]);
  for (const auto& row : r.rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < row.size(); ++c) {
      line.push_back(row[c].type == Cell::Type::Null ? "NULL" : one_line(cell_text(row[c])));
      width[c] = std::max(width[c], display_width(line.back()));
    }
    cells.push_back(std::move(line));
  }
  auto is_number = [&](size_t c) {
    for (const auto& row : r.rows)
      if (row[c].type != Cell::Type::Integer && row[c].type != Cell::Type::Real && row[c].type != Cell::Type::Null)
        return false;
    return !r.rows.empty();
  };
  std::vector<bool> right(r.columns.size());
  for (size_t c = 0; c < r.columns.size(); ++c) right[c] = is_number(c);
  auto pad = [&](const std::string& s, size_t c) {
    std::string fill(width[c] - display_width(s), ' ');
    return right[c] ? fill + s : s + fill;
  };
  std::string out, sep;
  for (size_t c = 0; c < r.columns.size(); ++c) {
    out += (c ? "  " : "") + pad(r.columns[c], c);
    sep += (c ? "  " : "") + std::string(width[c], '-');
  }
  // No trailing spaces on a line.
  auto rstrip = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  };
  out = rstrip(out) + "\n" + sep + "\n";
  for (const auto& line : cells) {
    std::string l;
    for (size_t c = 0; c < line.size(); ++c) l += (c ? "  " : "") + pad(line[c], c);
    out += rstrip(l) + "\n";
  }
  out += fmt::format("({} row{})\n", r.rows.size(), r.rows.size() == 1 ? "" : "s");
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// RFC 4180: CRLF line ends, a header line, fields quoted when they hold , " CR or LF.
std::string render_csv(const ResultSet& r) {
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + csv_field(r.columns[c]);
  out += "\r\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + csv_field(cell_text(row[c]));
    out += "\r\n";
  }
  return out;
}

// JSON text of a cell: integers exact, reals in shortest round-trip form ("1.5", not Boost's
// "1.5E0"), NULL as null, text and BLOBs as strings.
std::string json_cell(const Cell& c) {
  switch (c.type) {
    case Cell::Type::Null: return "null";
    case Cell::Type::Integer: return std::to_string(c.i);
    case Cell::Type::Real:
      if (!std::isfinite(c.d)) return "null";
      return fmt::format("{}", c.d);
    default: return boost::json::serialize(boost::json::string(cell_text(c)));
  }
}

std::string json_row(const ResultSet& r, const std::vector<Cell>& row) {
  std::string out = "{";
  for (size_t c = 0; c < row.size(); ++c) {
    out += (c ? "," : "") + boost::json::serialize(boost::json::string(r.columns[c])) + ":" + json_cell(row[c]);
  }
  return out + "}";
}

std::string render_json(const ResultSet& r) {
  std::string out = "[";
  for (size_t i = 0; i < r.rows.size(); ++i) out += (i ? "," : "") + json_row(r, r.rows[i]);
  return out + "]\n";
}

std::string render_ndjson(const ResultSet& r) {
  std::string out;
  for (const auto& row : r.rows) out += json_row(r, row) + "\n";
  return out;
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "<br>";
    else if (c != '\r') out += c;
  }
  return out;
}

std::string render_markdown(const ResultSet& r) {
  std::string out = "|";
  for (const auto& c : r.columns) out += " " + md_cell(c) + " |";
  out += "\n|";
  for (size_t c = 0; c < r.columns.size(); ++c) out += " --- |";
  out += "\n";
  for (const auto& row : r.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + md_cell(cell.type == Cell::Type::Null ? "" : cell_text(cell)) + " |";
    out += "\n";
  }
  return out;
}

}  // namespace

const std::vector<RowFormat>& row_formats() {
  static const std::vector<RowFormat> kFormats = {
      // Outputs for a person show control bytes escaped (terminal_safe); the others encode them.
      {"table", "aligned columns for a terminal (NULL shown as NULL, newlines as \\n, control bytes as \\xNN)",
       [](const ResultSet& r) { return terminal_safe(render_table(r)); }},
      {"csv", "RFC 4180: header line, CRLF, quoted fields", render_csv},
      {"json", "one array of objects; integers and reals stay numbers, NULL is null", render_json},
      {"ndjson", "one JSON object per line", render_ndjson},
      {"markdown", "a pipe table", [](const ResultSet& r) { return terminal_safe(render_markdown(r)); }},
  };
  return kFormats;
}

const RowFormat* find_row_format(std::string_view name) {
  for (const auto& f : row_formats())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace kvsnap
