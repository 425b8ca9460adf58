#include "render/diff_report.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "util/text.h"

namespace kvsnap {
namespace {

// A decoded value as a person reads it: strings without quotes ("10.6.6.0/24"), the rest as JSON.
std::string show(const boost::json::value& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return std::string(v.as_string());
  return boost::json::serialize(v);
}

std::string snapshot_desc(const SnapshotInfo& s) {
  return fmt::format("snapshot {} \"{}\" ({}, {} keys{})", s.id, s.name, s.format, s.keys,
                     s.revision ? fmt::format(", revision {}", *s.revision) : "");
}


std::string render_text(const DiffReport& r) {
  std::string out = fmt::format("kvdiff: {}\n     -> {}\n\n", snapshot_desc(r.old_s), snapshot_desc(r.new_s));
  out += fmt::format("{:<16}{:>8}{:>9}{:>9}{:>7}\n", "entity", "added", "removed", "changed", "moved");
  for (const auto& [name, c] : r.diff.counts)
    out += fmt::format("{:<16}{:>8}{:>9}{:>9}{:>7}\n", name, c.added, c.removed, c.changed, c.moved);
  out += fmt::format("findings: {} new, {} resolved\n", r.findings.added.size(), r.findings.resolved.size());
  if (!r.diff.differs()) out += "\nno differences" + std::string(r.include_metadata ? "" : " (revisions and leases not compared; --include-metadata)") + "\n";
  if (r.summary_only) return out;
  std::string entity;
  for (const auto& c : r.diff.changes) {
    if (c.entity != entity) {
      entity = c.entity;
      out += fmt::format("\n{}\n", entity);
    }
    out += fmt::format("  {} {}\n", c.change == "added" ? "+" : c.change == "removed" ? "-" : c.change == "moved" ? ">" : "~", one_line(c.id));
    if (c.change == "changed" || c.change == "moved")
      for (const auto& f : c.fields) {
        if (c.change == "moved" && f.field != "id") continue;
        out += fmt::format("      {}: {} -> {}\n", f.field, one_line(show(f.old_value)), one_line(show(f.new_value)));
      }
  }
  auto list = [&](const char* title, const std::vector<Finding>& fs) {
    if (fs.empty()) return;
    out += fmt::format("\n{}\n", title);
    for (const auto& f : fs) out += fmt::format("  [{}] {}: {}\n", severity_name(f.severity), f.check, f.message);
  };
  list("new findings", r.findings.added);
  list("resolved findings", r.findings.resolved);
  return out;
}

boost::json::object snapshot_json(const SnapshotInfo& s) {
  return {{"id", s.id}, {"name", s.name}, {"source", s.source}, {"format", s.format},
          {"revision", s.revision ? boost::json::value(*s.revision) : nullptr}, {"keys", s.keys}};
}

boost::json::array findings_json(const std::vector<Finding>& fs) {
  boost::json::array a;
  for (const auto& f : fs) {
    boost::json::array keys;
    for (const auto& k : f.keys) keys.emplace_back(k);
    a.push_back({{"check", f.check}, {"severity", severity_name(f.severity)}, {"message", f.message}, {"keys", std::move(keys)}});
  }
  return a;
}

std::string render_json(const DiffReport& r) {
  boost::json::object summary;
  for (const auto& [name, c] : r.diff.counts)
    summary[name] = {{"added", c.added}, {"removed", c.removed}, {"changed", c.changed}, {"moved", c.moved}};
  boost::json::array changes;
  if (!r.summary_only)
    for (const auto& c : r.diff.changes) {
      boost::json::array fields;
      for (const auto& f : c.fields) fields.push_back({{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}});
      changes.push_back({{"entity", c.entity}, {"id", c.id}, {"change", c.change}, {"fields", std::move(fields)}});
    }
  boost::json::object o{{"old", snapshot_json(r.old_s)},
                        {"new", snapshot_json(r.new_s)},
                        {"summary", std::move(summary)},
                        {"changes", std::move(changes)},
                        {"findings", {{"new", findings_json(r.findings.added)}, {"resolved", findings_json(r.findings.resolved)}}},
                        {"differs", r.diff.differs()}};
  return boost::json::serialize(o) + "\n";
}

std::string md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

std::string render_markdown(const DiffReport& r) {
  std::string out = fmt::format("## kvdiff: {} → {}\n\n", md(r.old_s.name), md(r.new_s.name));
  out += "| entity | added | removed | changed | moved |\n| --- | ---: | ---: | ---: | ---: |\n";
  for (const auto& [name, c] : r.diff.counts)
    out += fmt::format("| {} | {} | {} | {} | {} |\n", name, c.added, c.removed, c.changed, c.moved);
  out += fmt::format("\nFindings: {} new, {} resolved.\n", r.findings.added.size(), r.findings.resolved.size());
  if (r.summary_only) return out;
  std::string entity;
  for (const auto& c : r.diff.changes) {
    if (c.entity != entity) {
      entity = c.entity;
      out += fmt::format("\n### {}\n\n", entity);
    }
    out += fmt::format("- {} `{}`\n", c.change, one_line(c.id));
    if (c.change == "changed" || c.change == "moved")
      for (const auto& f : c.fields) {
        if (c.change == "moved" && f.field != "id") continue;
        out += fmt::format("  - {}: `{}` → `{}`\n", md(f.field), one_line(show(f.old_value)), one_line(show(f.new_value)));
      }
  }
  auto list = [&](const char* title, const std::vector<Finding>& fs) {
    if (fs.empty()) return;
    out += fmt::format("\n### {}\n\n", title);
    for (const auto& f : fs) out += fmt::format("- **{}** ({}): {}\n", f.check, severity_name(f.severity), md(f.message));
  };
  list("New findings", r.findings.added);
  list("Resolved findings", r.findings.resolved);
  return out;
}

}  // namespace

const std::vector<DiffFormat>& diff_formats() {
  // Outputs for a person show control bytes escaped (terminal_safe); json encodes them.
  static const std::vector<DiffFormat> kFormats = {
      {"text", [](const DiffReport& r) { return terminal_safe(render_text(r)); }},
      {"json", render_json},
      {"markdown", [](const DiffReport& r) { return terminal_safe(render_markdown(r)); }}};
  return kFormats;
}

const DiffFormat* find_diff_format(std::string_view name) {
  for (const auto& f : diff_formats())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace kvsnap
