#include "diff/report.h"

#include <future>
#include <thread>

#include <fmt/format.h>

#include "render/svg.h"

namespace kvsnap {
namespace {

boost::json::object snapshot_json(const SnapshotInfo& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"source", s.source},
          {"format", s.format},
          {"revision", s.revision ? boost::json::value(*s.revision) : nullptr},
          {"keys", s.keys}};
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

// What a person reads of a changed field: what was added and removed inside a list or set
// ("backends: +10.0.1.5:80 -10.0.1.4:80"), else the old and the new value.
std::string field_line(const FieldChange& f) {
  if (f.added.empty() && f.removed.empty())
    return fmt::format("{}: {} -> {}", f.field, show(f.old_value), show(f.new_value));
  std::string out = f.field + ":";
  for (const auto& v : f.added) out += " +" + show(v);
  for (const auto& v : f.removed) out += " -" + show(v);
  return out;
}

boost::json::array json_list(std::vector<boost::json::value>&& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (auto& e : v) a.push_back(std::move(e));
  return a;
}

Section findings_section(const char* id, const char* title, const char* tag, const std::vector<Finding>& fs) {
  Section s;
  s.id = id;
  s.title = title;
  s.tag = tag;
  s.columns = {{"headline", "", Audience::People},
               {"check", ""},
               {"severity", ""},
               {"message", "", Audience::Programs},
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

// Below this many changes, a second thread costs more than building their rows takes.
constexpr size_t kSectionThreadAbove = 2000;

// The section of one entity's changes [begin, end), each moved into its row.
Section change_section(std::vector<Change>::iterator begin, std::vector<Change>::iterator end) {
  Section s;
  s.id = "changes/" + begin->entity;
  s.title = begin->entity;
  s.columns = {{"headline", "", Audience::People}, {"lines", "", Audience::People},
               {"entity", "", Audience::Programs}, {"id", "", Audience::Programs},
               {"change", "", Audience::Programs}, {"label", "", Audience::Programs},
               {"fields", "", Audience::Programs}};
  s.layout = Layout::Records;
  s.headline = 0;
  s.items = 1;
  s.bullets = false;  // the headline starts with its mark: + - ~ >
  s.rows.reserve(size_t(end - begin));
  for (auto it = begin; it != end; ++it) {
    Change& c = *it;
    boost::json::array lines, fields;
    for (auto& f : c.fields) {
      if (c.change == "changed" || (c.change == "moved" && f.field == "id")) lines.emplace_back(field_line(f));
      boost::json::object o;
      o.emplace("field", f.field);
      o.emplace("old", std::move(f.old_value));
      o.emplace("new", std::move(f.new_value));
      if (!f.added.empty() || !f.removed.empty()) {
        o.emplace("added", json_list(std::move(f.added)));
        o.emplace("removed", json_list(std::move(f.removed)));
      }
      fields.push_back(std::move(o));
    }
    // Added and removed entities say what they are (an ipcache entry: its pod, identity, node).
    std::string headline = fmt::format("{} {}", mark(c.change), c.id);
    if (!c.label.empty() && c.change != "changed") headline += "  (" + c.label + ")";
    s.rows.push_back({Value::text(std::move(headline)), Value::of(std::move(lines)), Value::text(std::move(c.entity)),
                      Value::text(std::move(c.id)), Value::text(std::move(c.change)), Value::text(std::move(c.label)),
                      Value::of(std::move(fields))});
    c = Change{};
  }
  return s;
}

}  // namespace

Document diff_report_document(DiffReport&& r) {
  Document d;
  d.tool = "kvdiff";
  d.rows_of = "changes/";
  d.title = fmt::format("kvdiff: {}\n     -> {}", describe_snapshot(r.old_s), describe_snapshot(r.new_s));
  d.facts.push_back({"old", "", Value::of(snapshot_json(r.old_s))});
  d.facts.push_back({"new", "", Value::of(snapshot_json(r.new_s))});
  d.facts.push_back({"differs", "", Value::boolean(r.diff.differs())});
  if (!r.diff.differs())
    d.facts.push_back(
        {"result", "result",
         Value::text(std::string("no differences") +
                     (r.include_metadata ? "" : " (revisions and leases not compared; --include-metadata)"))});
  d.facts.push_back(
      {"findings_delta", "findings",
       Value::text(fmt::format("{} new, {} resolved", r.findings.added.size(), r.findings.resolved.size()))});

  Section counts;
  counts.id = "summary";
  counts.title = "changes per entity";
  counts.columns = {{"entity", ""}, {"added", ""}, {"removed", ""}, {"changed", ""}, {"moved", ""}};
  for (const auto& [name, c] : r.diff.counts)
    counts.rows.push_back({Value::text(name), Value::integer(c.added), Value::integer(c.removed),
                           Value::integer(c.changed), Value::integer(c.moved)});
  d.sections.push_back(std::move(counts));

  // The counts as a picture (html): one stacked bar per entity.
  BarChart chart;
  chart.unit = "entities that differ";
  chart.series = {{"added", "added"}, {"removed", "removed"}, {"changed", "changed"}, {"moved", "moved"}};
  int64_t total = 0;
  for (const auto& [name, c] : r.diff.counts) {
    chart.bars.push_back({name, {double(c.added), double(c.removed), double(c.changed), double(c.moved)}, "", ""});
    total += c.added + c.removed + c.changed + c.moved;
  }
  d.figures.push_back({"changes-per-entity", fmt::format("Changes per entity ({} in all)", total),
                       "Each entity that was added, removed, changed in a field, or moved to another id between the "
                       "two snapshots.",
                       svg_bar_chart(chart)});

  if (!r.summary_only) {
    // A section per entity, built from its changes. Each change is moved into its row and freed:
    // the report and its document are never both whole in memory (at 1% of 2M keys changed, they
    // were 100 MB each). With many changes the later entities' sections are built on a second
    // thread, the changes split about evenly.
    auto& changes = r.diff.changes;
    std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) of each entity's changes
    for (size_t i = 0; i < changes.size(); ++i)
      if (i == 0 || changes[i].entity != changes[i - 1].entity)
        groups.emplace_back(i, i + 1);
      else
        groups.back().second = i + 1;
    auto build = [&](size_t g0, size_t g1) {
      std::vector<Section> out;
      for (size_t g = g0; g < g1; ++g)
        out.push_back(change_section(changes.begin() + ptrdiff_t(groups[g].first),
                                     changes.begin() + ptrdiff_t(groups[g].second)));
      return out;
    };
    size_t split = 1;  // the first entity's section is built here in any case
    while (split < groups.size() && groups[split].second <= changes.size() / 2) ++split;
    std::future<std::vector<Section>> later;
    if (changes.size() >= kSectionThreadAbove && split < groups.size() && std::thread::hardware_concurrency() >= 2)
      later = std::async(std::launch::async, build, split, groups.size());
    for (auto& s : build(0, later.valid() ? split : groups.size())) d.sections.push_back(std::move(s));
    if (later.valid())
      for (auto& s : later.get()) d.sections.push_back(std::move(s));
    changes = {};
  }
  if (r.summary_only) return d;  // one screen: the counts (the findings delta is a fact)
  d.sections.push_back(findings_section("findings/new", "new findings", "error", r.findings.added));
  d.sections.push_back(findings_section("findings/resolved", "resolved findings", "ok", r.findings.resolved));
  return d;
}

}  // namespace kvsnap
