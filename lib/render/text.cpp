// The text format: what a person reads in a terminal. Facts first, then each section: its
// heading with the row count, its notes once (wrapped to the terminal), its rows as an aligned
// table or as records. Every value goes through terminal_safe (control bytes as \xNN); colour
// only where the options say (a TTY without NO_COLOR).
#include <fmt/format.h>

#include "render/output.h"
#include "util/text.h"

namespace kvsnap {
namespace {

// Display width in a terminal: code points, not bytes (wide CJK is not special-cased).
size_t width_of(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string cell(const Value& v) { return v.is_null() ? "NULL" : terminal_safe(one_line(display(v))); }

const char* color_of(const std::string& tag) {
  if (tag == "error" || tag == "removed") return "1;31";
  if (tag == "warning" || tag == "changed") return "1;33";
  if (tag == "info") return "1;36";
  if (tag == "added" || tag == "ok") return "1;32";
  if (tag == "moved") return "1;35";
  return "1";
}

std::string paint(const RenderOptions& o, const std::string& tag, const std::string& s) {
  return o.color ? fmt::format("\033[{}m{}\033[0m", color_of(tag), s) : s;
}

// `label: text` wrapped to the width, continuation lines under the text; labels padded to
// label_width so that the texts of a group line up.
std::string wrap(std::string_view indent, std::string_view label, const std::string& text, int width,
                 size_t label_width = 0) {
  std::string head = fmt::format("{}{}: ", indent, label);
  if (width_of(label) < label_width) head += std::string(label_width - width_of(label), ' ');
  size_t hang = width_of(head);
  size_t avail = width <= 0 ? SIZE_MAX : width > int(hang) + 20 ? size_t(width) - hang : 40;
  std::string out = head;
  size_t col = 0;
  size_t pos = 0;
  std::string safe = terminal_safe(one_line(text));
  while (pos < safe.size()) {
    size_t sp = safe.find(' ', pos);
    std::string word = safe.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? safe.size() : sp + 1;
    if (word.empty()) continue;
    size_t w = width_of(word);
    if (col > 0 && col + 1 + w > avail) {
      out += '\n';
      out.append(hang, ' ');
      col = 0;
    } else if (col > 0) {
      out += ' ';
      ++col;
    }
    out += word;
    col += w;
  }
  return out + "\n";
}

std::string table(const Section& s, std::string_view indent) {
  std::vector<size_t> cols = people_columns(s);
  std::vector<size_t> width(cols.size());
  std::vector<bool> right(cols.size(), !s.rows.empty());
  std::vector<std::string> head;
  for (size_t c = 0; c < cols.size(); ++c) {
    head.push_back(terminal_safe(one_line(column_header(s.columns[cols[c]]))));
    width[c] = width_of(head.back());
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : s.rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < cols.size(); ++c) {
      const Value& v = row[cols[c]];
      line.push_back(cell(v));
      width[c] = std::max(width[c], width_of(line.back()));
      if (!v.is_number() && !v.is_null()) right[c] = false;
    }
    cells.push_back(std::move(line));
  }
  auto pad = [&](const std::string& text, size_t c) {
    std::string fill(width[c] - width_of(text), ' ');
    return right[c] ? fill + text : text + fill;
  };
  auto rstrip = [](std::string t) {
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
  };
  std::string out, line, sep;
  for (size_t c = 0; c < cols.size(); ++c) {
    line += (c ? "  " : "") + pad(head[c], c);
    if (c) sep += "  ";
    sep.append(width[c], '-');
  }
  out += std::string(indent) + rstrip(line) + "\n" + std::string(indent) + sep + "\n";
  for (const auto& l : cells) {
    std::string t;
    for (size_t c = 0; c < l.size(); ++c) t += (c ? "  " : "") + pad(l[c], c);
    out += std::string(indent) + rstrip(t) + "\n";
  }
  return out;
}

std::string records(const Section& s, std::string_view indent, const RenderOptions& o) {
  std::string out;
  for (const auto& row : s.rows) {
    out += fmt::format("{}{}{}\n", indent, s.bullets ? "- " : "", cell(row[size_t(s.headline)]));
    if (s.items < 0) continue;
    const Value& items = row[size_t(s.items)];
    if (items.kind != Value::Kind::Json || !items.json.is_array()) continue;
    const auto& arr = items.json.get_array();
    size_t shown = o.all || s.all_items ? arr.size() : std::min(arr.size(), o.max_items);
    for (size_t i = 0; i < shown; ++i) out += fmt::format("{}    {}\n", indent, cell(Value::of(arr[i])));
    if (arr.size() > shown) out += fmt::format("{}    ... and {} more (--all lists all)\n", indent, arr.size() - shown);
  }
  return out;
}

}  // namespace

std::string render_text(const Document& d, const RenderOptions& o) {
  std::string out;
  if (d.shape == Document::Shape::Rows) {
    for (const auto& s : d.sections) {
      if (s.layout == Layout::Records) {
        out += records(s, "", o);
      } else {
        out += table(s, "");
        out += fmt::format("({} row{})\n", s.rows.size(), s.rows.size() == 1 ? "" : "s");
      }
    }
    return out;
  }
  if (!d.title.empty()) out += terminal_safe(d.title) + "\n";
  size_t label_width = 0;
  for (const auto& f : d.facts) label_width = std::max(label_width, width_of(f.label));
  for (const auto& f : d.facts)
    if (!f.label.empty()) out += wrap("", f.label, f.shown.empty() ? display(f.value) : f.shown, o.width, label_width);
  for (const auto& s : d.sections) {
    if (s.rows.empty() && s.empty.empty()) continue;
    out += '\n';
    out += paint(o, s.tag, terminal_safe(one_line(s.title)));
    out += fmt::format(" ({})\n", s.rows.size());
    size_t label_width = 0;
    for (const auto& note : s.notes) label_width = std::max(label_width, width_of(note.first));
    for (const auto& [label, text] : s.notes) out += wrap("  ", label, text, o.width, label_width);
    if (s.rows.empty())
      out += "  " + terminal_safe(s.empty) + "\n";
    else if (s.layout == Layout::Records)
      out += records(s, "  ", o);
    else
      out += table(s, "  ");
  }
  return out;
}

}  // namespace kvsnap
