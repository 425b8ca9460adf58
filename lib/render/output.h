#pragma once
// The one table of output formats. Every tool builds a Document and renders it here with the
// format of its -o; adding a format is adding an entry to kOutputFormats (output.cpp).
#include <string>
#include <string_view>
#include <vector>

#include "render/document.h"

namespace kvsnap {

enum class ColorMode { Auto, Always, Never };

struct RenderOptions {
  bool color = false;    // ANSI colours in text (a TTY, unless NO_COLOR or --color never)
  int width = 0;         // text: paragraphs are wrapped to this many columns (0: not wrapped)
  size_t max_items = 3;  // Records: entries listed per row ("and K more" after them)
  bool all = false;      // list every entry (--all)
};

// What kind of document a tool makes, known before it is made, so a wrong -o is refused before
// any work: findings reports also render as sarif and junit.
enum class DocumentKind { Rows, Report, Findings };

struct OutputFormat {
  const char* name;
  const char* description;
  bool findings_only;  // sarif, junit
  std::string (*render)(const Document&, const RenderOptions&);
};

const std::vector<OutputFormat>& output_formats();
// The format named `name` for a document of `kind`; throws UsageError listing the valid ones.
// "table" is accepted as another name of "text" (kvquery's default before 'text' existed).
const OutputFormat& output_format(std::string_view name, DocumentKind kind);
// "text, csv, json, ndjson, markdown, html" for a kind: for --help texts.
std::string output_format_names(DocumentKind kind);

// Options for a terminal: colour on a TTY unless NO_COLOR is set or mode says otherwise; width
// from the terminal (or $COLUMNS); on a pipe without $COLUMNS nothing is wrapped (grep finds a
// sentence whole).
RenderOptions terminal_options(ColorMode mode, bool all);
ColorMode parse_color_mode(std::string_view s);  // auto, always, never; throws UsageError

// The renderers (output.cpp's table points at these).
std::string render_text(const Document& d, const RenderOptions& o);
std::string render_markdown(const Document& d, const RenderOptions& o);
std::string render_csv(const Document& d, const RenderOptions& o);
std::string render_json(const Document& d, const RenderOptions& o);
std::string render_ndjson(const Document& d, const RenderOptions& o);
std::string render_html(const Document& d, const RenderOptions& o);
std::string render_sarif(const Document& d, const RenderOptions& o);
std::string render_junit(const Document& d, const RenderOptions& o);

// Text for HTML and SVG: the five special characters as entities, control bytes as \xNN.
std::string html_escape(std::string_view s);

// JSON text with reals in shortest round-trip form ("1.5", not "1.5E0"); one serializer for
// every JSON kvsnap writes.
std::string json_text(const boost::json::value& v);

// The rows csv and ndjson print: the sections named by rows_of, and the columns of the first.
struct RowStream {
  std::vector<const Column*> columns;
  std::vector<int> column_index;  // into each section's columns
  std::vector<const std::vector<Value>*> rows;
};
RowStream row_stream(const Document& d);

}  // namespace kvsnap
