#include "render/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

#include <fmt/format.h>

#include "util/error.h"
#include "util/text.h"

namespace kvsnap {

const std::vector<OutputFormat>& output_formats() {
  static const std::vector<OutputFormat> kOutputFormats = {
      {"text", "for a terminal: a summary first, then each section (tables aligned, control bytes as \\xNN)", false,
       render_text},
      {"csv", "RFC 4180: a header line, CRLF, quoted fields; the document's rows", false, render_csv},
      {"json", "one JSON value: an array of row objects, or a report object with its sections", false, render_json},
      {"ndjson", "one JSON object per row", false, render_ndjson},
      {"markdown", "for a ticket or a pull request: tables and lists", false, render_markdown},
      {"html", "one self-contained page (no network): tables, filters and pictures", false, render_html},
      {"sarif", "SARIF 2.1.0 for code-scanning tools (kvcheck)", true, render_sarif},
      {"junit", "JUnit XML for CI test reports (kvcheck)", true, render_junit},
  };
  return kOutputFormats;
}

std::string output_format_names(DocumentKind kind) {
  std::string out;
  for (const auto& f : output_formats())
    if (!f.findings_only || kind == DocumentKind::Findings) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

const OutputFormat& output_format(std::string_view name, DocumentKind kind) {
  std::string_view wanted = name == "table" ? "text" : name;
  for (const auto& f : output_formats())
    if (wanted == f.name && (!f.findings_only || kind == DocumentKind::Findings)) return f;
  throw UsageError(fmt::format("-o {}: not a format of this output; use one of {}", name, output_format_names(kind)));
}

ColorMode parse_color_mode(std::string_view s) {
  if (s == "auto") return ColorMode::Auto;
  if (s == "always") return ColorMode::Always;
  if (s == "never") return ColorMode::Never;
  throw UsageError(fmt::format("--color must be auto, always or never, not '{}'", s));
}

RenderOptions terminal_options(ColorMode mode, bool all) {
  RenderOptions o;
  bool tty = isatty(STDOUT_FILENO) != 0;
  const char* no_color = std::getenv("NO_COLOR");
  o.color = mode == ColorMode::Always || (mode == ColorMode::Auto && tty && !(no_color && *no_color));
  o.all = all;
  struct winsize ws {};
  if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    o.width = ws.ws_col;
  else if (const char* c = std::getenv("COLUMNS"); c && std::atoi(c) >= 40)
    o.width = std::atoi(c);
  return o;
}

namespace {

// A JSON string, escaped as boost::json::serialize escapes it (\b \t \n \f \r, other control
// characters as \u00xx, the quote and the backslash; other bytes as they are), without building a
// boost::json::string and a std::string for every key and value.
void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // bytes of s before i not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\b': out += 'b'; break;
      case '\t': out += 't'; break;
      case '\n': out += 'n'; break;
      case '\f': out += 'f'; break;
      case '\r': out += 'r'; break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.substr(run));
  out += '"';
}

void write_json(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      out += std::isfinite(v.get_double()) ? fmt::format("{}", v.get_double()) : "null";
      break;
    case boost::json::kind::string: write_string(out, v.get_string()); break;
    case boost::json::kind::int64: out += fmt::format_int(v.get_int64()).c_str(); break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_json(out, e);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        write_string(out, kv.key());
        out += ':';
        write_json(out, kv.value());
      }
      out += '}';
      break;
    }
    default: out += boost::json::serialize(v);
  }
}

bool for_programs(const Column& c) { return c.audience != Audience::People; }

// JSON written straight from the Document, member by member: building a boost::json tree first
// held a second copy of every structured value (kvdiff's changes at 2M keys: ~50 MB).
void write_key(std::string& out, std::string_view key) {
  write_string(out, key);
  out += ':';
}

void write_value(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Json: write_json(out, v.json); break;
    case Value::Kind::Text: write_string(out, v.s); break;
    case Value::Kind::Int: out += fmt::format_int(v.i).c_str(); break;
    default: write_json(out, to_json(v));
  }
}

// An object's members in order, a key set twice keeping its first place and its last value (as
// a JSON object assigned member by member would: no key twice in the output).
class Members {
 public:
  using Writer = std::function<void(std::string&)>;
  void set(std::string_view key, Writer w) {
    for (auto& [k, v] : members_)
      if (k == key) {
        v = std::move(w);
        return;
      }
    members_.emplace_back(std::string(key), std::move(w));
  }
  void set_text(std::string_view key, std::string_view text) {
    set(key, [text](std::string& out) { write_string(out, text); });
  }
  void write(std::string& out) const {
    out += '{';
    for (size_t i = 0; i < members_.size(); ++i) {
      if (i) out += ',';
      write_key(out, members_[i].first);
      members_[i].second(out);
    }
    out += '}';
  }

 private:
  std::vector<std::pair<std::string, Writer>> members_;
};

// The columns a row object holds, in order: programs' columns, a name used twice taking the
// place of its first column and the value of its last.
struct RowShape {
  std::vector<const std::string*> names;
  std::vector<size_t> index;  // the row's value for each name
};

RowShape row_shape(const std::vector<const Column*>& cols, const std::vector<int>& index) {
  RowShape shape;
  for (size_t c = 0; c < cols.size(); ++c) {
    auto it =
        std::find_if(shape.names.begin(), shape.names.end(), [&](const std::string* n) { return *n == cols[c]->name; });
    if (it != shape.names.end()) {
      shape.index[size_t(it - shape.names.begin())] = size_t(index[c]);
      continue;
    }
    shape.names.push_back(&cols[c]->name);
    shape.index.push_back(size_t(index[c]));
  }
  return shape;
}

void write_row(std::string& out, const RowShape& shape, const std::vector<Value>& row) {
  out += '{';
  for (size_t c = 0; c < shape.names.size(); ++c) {
    if (c) out += ',';
    write_key(out, *shape.names[c]);
    write_value(out, row[shape.index[c]]);
  }
  out += '}';
}

void write_rows(std::string& out, const RowShape& shape, const std::vector<const std::vector<Value>*>& rows) {
  out += '[';
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r) out += ',';
    write_row(out, shape, *rows[r]);
  }
  out += ']';
}

void write_section(std::string& out, const Section& s) {
  Members m;
  m.set_text("id", s.id);
  m.set_text("title", s.title);
  if (!s.tag.empty()) m.set_text("tag", s.tag);
  if (!s.notes.empty())
    m.set("notes", [&s](std::string& o) {
      boost::json::object notes;
      for (const auto& [label, text] : s.notes) notes[label] = text;
      write_json(o, notes);
    });
  for (const auto& [k, v] : s.attrs) m.set_text(k, v);
  m.set("rows", [&s](std::string& o) {
    std::vector<const Column*> cols;
    std::vector<int> index;
    for (size_t c = 0; c < s.columns.size(); ++c)
      if (for_programs(s.columns[c])) {
        cols.push_back(&s.columns[c]);
        index.push_back(int(c));
      }
    std::vector<const std::vector<Value>*> rows;
    for (const auto& r : s.rows) rows.push_back(&r);
    write_rows(o, row_shape(cols, index), rows);
  });
  m.write(out);
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

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : terminal_safe(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  write_json(out, v);
  return out;
}

RowStream row_stream(const Document& d) {
  RowStream rs;
  const Section* first = nullptr;
  for (const auto& s : d.sections) {
    if (d.shape == Document::Shape::Report && !s.id.starts_with(d.rows_of)) continue;
    if (!first) {
      first = &s;
      for (size_t c = 0; c < s.columns.size(); ++c)
        if (for_programs(s.columns[c])) {
          rs.columns.push_back(&s.columns[c]);
          rs.column_index.push_back(int(c));
        }
    }
    for (const auto& r : s.rows) rs.rows.push_back(&r);
    if (d.shape == Document::Shape::Rows) break;
  }
  return rs;
}

std::string render_json(const Document& d, const RenderOptions&) {
  std::string out;
  if (d.shape == Document::Shape::Rows) {
    RowStream rs = row_stream(d);
    write_rows(out, row_shape(rs.columns, rs.column_index), rs.rows);
    return out + "\n";
  }
  Members m;
  m.set_text("tool", d.tool);
  m.set_text("title", d.title);
  for (const auto& f : d.facts) m.set(f.key, [&f](std::string& o) { write_value(o, f.value); });
  m.set("sections", [&d](std::string& o) {
    o += '[';
    for (size_t i = 0; i < d.sections.size(); ++i) {
      if (i) o += ',';
      write_section(o, d.sections[i]);
    }
    o += ']';
  });
  m.write(out);
  return out + "\n";
}

std::string render_ndjson(const Document& d, const RenderOptions&) {
  RowStream rs = row_stream(d);
  RowShape shape = row_shape(rs.columns, rs.column_index);
  std::string out;
  for (const auto* r : rs.rows) {
    write_row(out, shape, *r);
    out += '\n';
  }
  return out;
}

// RFC 4180: CRLF line ends, a header line, fields quoted when they hold , " CR or LF. Bytes are
// kept as they are (a BLOB that is not UTF-8 as base64:...).
std::string render_csv(const Document& d, const RenderOptions&) {
  RowStream rs = row_stream(d);
  std::string out;
  for (size_t c = 0; c < rs.columns.size(); ++c) {
    if (c) out += ',';
    out += csv_field(rs.columns[c]->name);
  }
  out += "\r\n";
  for (const auto* r : rs.rows) {
    for (size_t c = 0; c < rs.columns.size(); ++c) {
      if (c) out += ',';
      out += csv_field(display((*r)[size_t(rs.column_index[c])]));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace kvsnap
