// The html format: one self-contained page (inline style, script and SVG; a Content-Security-
// Policy that forbids every request), so it opens from an e-mail attachment or a ticket. Facts,
// the document's pictures, then every section, filterable by tag (severity, change kind) and by
// a text search. One escaper: HTML's five characters, control bytes as \xNN.
#include <set>

#include <fmt/format.h>

#include "render/output.h"
#include "util/text.h"

namespace kvsnap {
namespace {

// A record lists at most this many entries, a section this many rows (the rest: -o json, or
// --all): a snapshot with a hundred thousand findings still gives a page a browser opens.
constexpr size_t kHtmlItems = 1000;
constexpr size_t kHtmlRows = 2000;

std::string h(std::string_view s) { return html_escape(s); }

constexpr const char* kStyle = R"css(
:root { --fg:#1d2430; --muted:#5b6675; --line:#d9dee5; --bg:#fff; --soft:#f5f7fa;
        --error:#c0262d; --warning:#b36b00; --info:#1f6fb2; --added:#1e7d32; --removed:#c0262d;
        --changed:#b36b00; --moved:#7b3fa0; --ok:#1e7d32; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
       margin: 0 auto; max-width: 1280px; padding: 24px; }
h1 { font-size: 20px; margin: 0 0 12px; word-break: break-all; }
h2 { font-size: 16px; margin: 0 0 8px; }
table { border-collapse: collapse; }
table.facts td { padding: 2px 12px 2px 0; vertical-align: top; }
table.facts td:first-child { color: var(--muted); white-space: nowrap; }
table.rows { width: 100%; margin-top: 6px; }
table.rows th, table.rows td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
                               vertical-align: top; word-break: break-word; }
table.rows th { background: var(--soft); position: sticky; top: 0; }
table.rows td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.part { border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px;
               padding: 12px 16px; margin: 14px 0; }
section.part[data-tag=error], section.part[data-tag=removed] { border-left-color: var(--error); }
section.part[data-tag=warning], section.part[data-tag=changed] { border-left-color: var(--warning); }
section.part[data-tag=info] { border-left-color: var(--info); }
section.part[data-tag=added], section.part[data-tag=ok] { border-left-color: var(--added); }
section.part[data-tag=moved] { border-left-color: var(--moved); }
.count { color: var(--muted); font-weight: normal; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; text-transform: uppercase; padding: 1px 6px;
       border-radius: 3px; color: #fff; background: var(--muted); margin-right: 6px; vertical-align: 2px; }
.tag.error, .tag.removed { background: var(--error); } .tag.warning, .tag.changed { background: var(--warning); }
.tag.info { background: var(--info); } .tag.added, .tag.ok { background: var(--added); } .tag.moved { background: var(--moved); }
dl.notes { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 8px; }
dl.notes dt { color: var(--muted); } dl.notes dd { margin: 0; }
ul.records { margin: 6px 0; padding-left: 18px; } ul.records > li { margin: 6px 0; }
ul.items { margin: 2px 0; padding-left: 18px; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px;
           word-break: break-all; }
nav.filters { position: sticky; top: 0; background: var(--bg); padding: 8px 0; border-bottom: 1px solid var(--line);
              z-index: 2; display: flex; gap: 14px; flex-wrap: wrap; align-items: center; }
nav.filters input[type=search] { padding: 4px 8px; min-width: 260px; }
figure { margin: 16px 0; border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: 6px; } figure p { color: var(--muted); margin: 6px 0 0; }
.empty { color: var(--muted); }
)css";

constexpr const char* kScript = R"js(
(function () {
  var boxes = document.querySelectorAll('nav.filters input[type=checkbox]');
  var search = document.getElementById('search');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var q = search ? search.value.toLowerCase() : '';
    var shown = 0;
    document.querySelectorAll('section.part').forEach(function (s) {
      var tag = s.getAttribute('data-tag');
      var ok = (!tag || on[tag] !== false) && (!q || s.textContent.toLowerCase().indexOf(q) >= 0);
      s.hidden = !ok;
      if (ok) shown++;
    });
    var c = document.getElementById('shown');
    if (c) c.textContent = shown;
  }
  // A link can carry a filter: page.html#hide=info,warning&q=node-cidr
  var hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  var hide = (hash.get('hide') || '').split(',');
  boxes.forEach(function (b) { if (hide.indexOf(b.value) >= 0) b.checked = false; });
  if (search && hash.get('q')) search.value = hash.get('q');
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (search) search.addEventListener('input', apply);
  apply();
})();
)js";

std::string cell(const Value& v) {
  if (v.is_null()) return "<span class=\"empty\">NULL</span>";
  return h(display(v));
}

size_t rows_shown(const Section& s, const RenderOptions& o) {
  return o.all ? s.rows.size() : std::min(s.rows.size(), kHtmlRows);
}

std::string more_rows(const Section& s, size_t shown) {
  return s.rows.size() > shown ? fmt::format("<p class=\"empty\">... and {} more (-o json lists all, or --all)</p>\n",
                                             s.rows.size() - shown)
                               : "";
}

std::string table(const Section& s, const RenderOptions& o) {
  std::vector<size_t> cols = people_columns(s);
  std::string out = "<table class=\"rows\"><thead><tr>";
  for (size_t c : cols) out += "<th>" + h(column_header(s.columns[c])) + "</th>";
  out += "</tr></thead><tbody>\n";
  size_t shown = rows_shown(s, o);
  for (size_t i = 0; i < shown; ++i) {
    const auto& r = s.rows[i];
    out += "<tr>";
    for (size_t c : cols) out += std::string(r[c].is_number() ? "<td class=\"num\">" : "<td>") + cell(r[c]) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n" + more_rows(s, shown);
}

std::string records(const Section& s, const RenderOptions& o) {
  std::string out = "<ul class=\"records\">\n";
  size_t shown_rows = rows_shown(s, o);
  for (size_t i = 0; i < shown_rows; ++i) {
    const auto& row = s.rows[i];
    out += "<li><span class=\"headline\">" + cell(row[size_t(s.headline)]) + "</span>";
    if (s.items >= 0 && row[size_t(s.items)].kind == Value::Kind::Json && row[size_t(s.items)].json.is_array()) {
      const auto& arr = row[size_t(s.items)].json.get_array();
      size_t shown = o.all ? arr.size() : std::min(arr.size(), kHtmlItems);
      out += "<ul class=\"items\">";
      for (size_t i = 0; i < shown; ++i) out += "<li>" + h(display(Value::of(arr[i]))) + "</li>";
      if (arr.size() > shown) out += fmt::format("<li>... and {} more (-o json lists all)</li>", arr.size() - shown);
      out += "</ul>";
    }
    out += "</li>\n";
  }
  return out + "</ul>\n" + more_rows(s, shown_rows);
}

}  // namespace

std::string render_html(const Document& d, const RenderOptions& o) {
  std::string title = d.title.empty() ? d.tool : d.title;
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"kvsnap {}\">\n<title>{}</title>\n<style>{}</style></head>\n<body>\n",
      h(d.tool), h(title), kStyle);
  out += "<header><h1>" + h(title) + "</h1>\n";
  bool any_fact = false;
  for (const auto& f : d.facts) {
    if (f.label.empty()) continue;
    if (!any_fact) out += "<table class=\"facts\">\n";
    any_fact = true;
    out += fmt::format("<tr data-fact=\"{}\"><td>{}</td><td>{}</td></tr>\n", h(f.key), h(f.label),
                       f.shown.empty() ? cell(f.value) : h(f.shown));
  }
  if (any_fact) out += "</table>\n";
  out += "</header>\n";
  for (const auto& f : d.figures)
    out += fmt::format("<figure id=\"{}\"><figcaption>{}</figcaption>\n{}\n{}</figure>\n", h(f.id), h(f.title), f.svg,
                       f.caption.empty() ? "" : "<p>" + h(f.caption) + "</p>\n");
  std::vector<const Section*> shown;
  std::set<std::string> tags;
  for (const auto& s : d.sections)
    if (!s.rows.empty() || !s.empty.empty() || d.shape == Document::Shape::Rows) {
      shown.push_back(&s);
      if (!s.tag.empty()) tags.insert(s.tag);
    }
  if (shown.size() > 1) {
    out += "<nav class=\"filters\">";
    for (const char* t : {"error", "warning", "info", "added", "removed", "changed", "moved", "ok"})
      if (tags.count(t))
        out += fmt::format(
            "<label><input type=\"checkbox\" value=\"{0}\" checked> <span class=\"tag {0}\">{0}</span></label>", t);
    out += fmt::format(
        "<input type=\"search\" id=\"search\" placeholder=\"filter sections\"> "
        "<span><span id=\"shown\">{}</span> of {} sections shown</span></nav>\n",
        shown.size(), shown.size());
  }
  out += "<main>\n";
  for (const Section* s : shown) {
    out += fmt::format(
        "<section class=\"part\" id=\"{}\" data-tag=\"{}\" data-rows=\"{}\">\n<h2>{}{} <span "
        "class=\"count\">({})</span></h2>\n",
        h(s->id), h(s->tag), s->rows.size(),
        s->tag.empty() ? "" : fmt::format("<span class=\"tag {0}\">{0}</span>", h(s->tag)), h(s->title),
        s->rows.size());
    if (!s->notes.empty()) {
      out += "<dl class=\"notes\">";
      for (const auto& [label, text] : s->notes) out += "<dt>" + h(label) + "</dt><dd>" + h(text) + "</dd>";
      out += "</dl>\n";
    }
    if (s->rows.empty())
      out += "<p class=\"empty\">" + h(s->empty.empty() ? "no rows" : s->empty) + "</p>\n";
    else
      out += s->layout == Layout::Records ? records(*s, o) : table(*s, o);
    out += "</section>\n";
  }
  out += "</main>\n<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return out;
}

}  // namespace kvsnap
