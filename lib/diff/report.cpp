#include "diff/report.h"

#include <fmt/format.h>

namespace kvsnap {
namespace {

boost::json::object snapshot_json(const SnapshotInfo& s) {
  return {{"id", s.id}, {"name", s.name}, {"source", s.source}, {"format", s.format},
          {"revision", s.revision ? boost::json::value(*s.revision) : nullptr}, {"keys", s.keys}};
}

// A decoded value as a person reads it: strings without quotes ("10.6.6.0/24"), the rest as JSON.
std::string show(const boost::json::value& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return std::string(v.as_string());
  return boost::json::serialize(v);
}

const char* mark(const std::string& change) {
  return change == "added" ? "+" : change == "removed" ? "-" : change == "moved" ? ">" : "~";
}

// What a person reads of a changed field: what was added and removed inside a list or set, else
// the old and the new value.
std::string field_line(const FieldChange& f) {
  return fmt::format("{}: {} -> {}", f.field, show(f.old_value), show(f.new_value));
}

Section findings_section(const char* id, const char* title, const char* tag, const std::vector<Finding>& fs) {
  Section s;
  s.id = id;
  s.title = title;
  s.tag = tag;
  s.columns = {{"headline", "", Audience::People}, {"check", ""}, {"severity", ""}, {"message", "", Audience::Programs},
               {"keys", ""}};
  s.layout = Layout::Records;
  s.headline = 0;
  s.items = 4;
  for (const auto& f : fs) {
    boost::json::array keys;
    for (const auto& k : f.keys) keys.emplace_back(k);
    s.rows.push_back({Value::text(fmt::format("[{}] {}: {}", severity_name(f.severity), f.check, f.message)),
                      Value::text(f.check), Value::text(severity_name(f.severity)), Value::text(f.message),
                      Value::of(std::move(keys))});
  }
  return s;
}

}  // namespace

Document diff_report_document(const DiffReport& r) {
  Document d;
  d.tool = "kvdiff";
  d.rows_of = "changes/";
  d.title = fmt::format("kvdiff: {}\n     -> {}", describe_snapshot(r.old_s), describe_snapshot(r.new_s));
  d.facts.push_back({"old", "", Value::of(snapshot_json(r.old_s))});
  d.facts.push_back({"new", "", Value::of(snapshot_json(r.new_s))});
  d.facts.push_back({"differs", "", Value::boolean(r.diff.differs())});
  if (!r.diff.differs())
    d.facts.push_back({"result", "result",
                       Value::text(std::string("no differences") +
                                   (r.include_metadata ? "" : " (revisions and leases not compared; --include-metadata)"))});
  d.facts.push_back({"findings_delta", "findings",
                     Value::text(fmt::format("{} new, {} resolved", r.findings.added.size(), r.findings.resolved.size()))});

  Section counts;
  counts.id = "summary";
  counts.title = "changes per entity";
  counts.columns = {{"entity", ""}, {"added", ""}, {"removed", ""}, {"changed", ""}, {"moved", ""}};
  for (const auto& [name, c] : r.diff.counts)
    counts.rows.push_back({Value::text(name), Value::integer(c.added), Value::integer(c.removed),
                           Value::integer(c.changed), Value::integer(c.moved)});
  d.sections.push_back(std::move(counts));

  if (!r.summary_only) {
    Section* cur = nullptr;
    for (const auto& c : r.diff.changes) {
      if (!cur || cur->id != "changes/" + c.entity) {
        d.sections.emplace_back();
        cur = &d.sections.back();
        cur->id = "changes/" + c.entity;
        cur->title = c.entity;
        cur->columns = {{"headline", "", Audience::People}, {"lines", "", Audience::People},
                        {"entity", "", Audience::Programs},  {"id", "", Audience::Programs},
                        {"change", "", Audience::Programs},  {"fields", "", Audience::Programs}};
        cur->layout = Layout::Records;
        cur->headline = 0;
        cur->items = 1;
        cur->bullets = false;  // the headline starts with its mark: + - ~ >
      }
      boost::json::array lines, fields;
      for (const auto& f : c.fields) {
        fields.push_back({{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}});
        if (c.change == "changed" || (c.change == "moved" && f.field == "id")) lines.emplace_back(field_line(f));
      }
      cur->rows.push_back({Value::text(fmt::format("{} {}", mark(c.change), c.id)), Value::of(std::move(lines)),
                           Value::text(c.entity), Value::text(c.id), Value::text(c.change), Value::of(std::move(fields))});
    }
  }
  d.sections.push_back(findings_section("findings/new", "new findings", "error", r.findings.added));
  d.sections.push_back(findings_section("findings/resolved", "resolved findings", "ok", r.findings.resolved));
  return d;
}

}  // namespace kvsnap
