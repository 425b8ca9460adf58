#include "check/report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "util/time.h"

namespace kvsnap {
namespace {

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string exit_line(const CheckReport& r) {
  if (r.fail_never) return fmt::format("exit status {} (--fail-on never)", r.exit_status);
  const char* level = severity_name(r.fail_on);
  return r.exit_status == 0 ? fmt::format("exit status 0: nothing at or above {0} (--fail-on {0})", level)
                            : fmt::format("exit status 1: findings at or above {0} (--fail-on {0})", level);
}

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

boost::json::value keys_json(const Finding& f) {
  boost::json::array a;
  for (const auto& k : f.keys) a.emplace_back(k);
  return a;
}

boost::json::value details_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(boost::json::object()) : v;
}

}  // namespace

std::string describe_reference_time(const CheckContext& c) {
  if (!c.now) return c.now_source;
  return fmt::format("{}{} ({}{})", c.now_is_lower_bound ? "at least " : "", format_rfc3339(*c.now),
                     c.now_source == "--now" ? "from " : "", c.now_source);
}

Document check_report_document(const CheckReport& r) {
  const auto& s = r.snapshot;
  const auto& c = r.context;
  Document d;
  d.tool = "kvcheck";
  d.findings = true;
  d.rows_of = "check/";
  d.exit_status = r.exit_status;
  d.title = fmt::format("kvcheck: {} from {}", describe_snapshot(s), s.source);

  std::map<Severity, size_t> by_severity{{Severity::Error, 0}, {Severity::Warning, 0}, {Severity::Info, 0}};
  std::map<std::string, std::vector<const Finding*>> by_check;
  for (const auto& f : r.run.findings) {
    ++by_severity[f.severity];
    by_check[f.check].push_back(&f);
  }
  std::string verdict = r.nothing_to_check() ? "nothing-to-check" : r.run.findings.empty() ? "clean" : "findings";
  d.facts.push_back({"snapshot", "",
                     Value::of(boost::json::object{{"id", s.id},
                                                   {"name", s.name},
                                                   {"source", s.source},
                                                   {"format", s.format},
                                                   {"revision", s.revision ? boost::json::value(*s.revision) : nullptr},
                                                   {"keys", s.keys},
                                                   {"cilium_keys", s.cilium_keys}})});
  d.facts.push_back(
      {"context", "",
       Value::of(boost::json::object{{"cluster_name", c.cluster_name},
                                     {"cluster_name_source", c.cluster_name_source},
                                     {"cluster_id", c.cluster_id},
                                     {"cluster_id_source", c.cluster_id_source},
                                     {"max_connected_clusters", c.max_clusters},
                                     {"identity_range", boost::json::array{c.id_min(), c.id_max()}},
                                     {"reference_time", c.now ? boost::json::value(format_rfc3339(*c.now)) : nullptr},
                                     {"reference_time_is_lower_bound", c.now_is_lower_bound},
                                     {"reference_time_source", c.now_source}})});
  d.facts.push_back({"summary", "",
                     Value::of(boost::json::object{{"verdict", verdict},
                                                   {"error", by_severity[Severity::Error]},
                                                   {"warning", by_severity[Severity::Warning]},
                                                   {"info", by_severity[Severity::Info]},
                                                   {"checks_run", r.run.checks_run},
                                                   {"exit_status", r.exit_status}})});
  d.facts.push_back(
      {"cluster", "cluster",
       Value::text(fmt::format("{} (from {}), cluster ID {} (from {}), {} connected clusters", c.cluster_name,
                               c.cluster_name_source, c.cluster_id, c.cluster_id_source, c.max_clusters))});
  d.facts.push_back({"reference", "reference time", Value::text(describe_reference_time(c))});
  if (c.baseline)
    d.facts.push_back(
        {"baseline", "compared with",
         Value::text(fmt::format("{} (snapshot {}, reference time {})", c.baseline->name, c.baseline->snapshot_id,
                                 c.baseline->now ? format_rfc3339(*c.baseline->now) : "unknown"))});
  if (r.nothing_to_check()) {
    d.facts.push_back({"nothing_to_check", "result",
                       Value::text(fmt::format("no Cilium keys: nothing to check (the snapshot holds {}, none under "
                                               "cilium/); exit status {}",
                                               plural(size_t(s.keys), "key"), r.exit_status))});
    return d;
  }
  d.facts.push_back(
      {"result", "result",
       Value::text(fmt::format("{}, {}, {} info from {}; {}", plural(by_severity[Severity::Error], "error"),
                               plural(by_severity[Severity::Warning], "warning"), by_severity[Severity::Info],
                               plural(size_t(r.run.checks_run), "check"), exit_line(r)))});

  // The counts first: per severity and check, highest severity first.
  std::vector<const CheckDef*> order;
  for (const auto& def : *r.checks) order.push_back(&def);
  auto worst = [&](const CheckDef* def) {
    auto it = by_check.find(def->id);
    Severity w = def->severity;
    if (it != by_check.end()) {
      w = Severity::Info;
      for (const Finding* f : it->second) w = std::max(w, f->severity);
    }
    return w;
  };
  std::stable_sort(order.begin(), order.end(), [&](const CheckDef* a, const CheckDef* b) {
    bool fa = by_check.count(a->id), fb = by_check.count(b->id);
    if (fa != fb) return fa;
    if (worst(a) != worst(b)) return worst(a) > worst(b);
    return a->id < b->id;
  });
  Section counts;
  counts.id = "counts";
  counts.title = "findings per check";
  counts.columns = {{"severity", ""}, {"check", ""}, {"findings", ""}, {"title", ""}};
  for (const CheckDef* def : order) {
    auto it = by_check.find(def->id);
    if (it == by_check.end()) continue;
    counts.rows.push_back({Value::text(severity_name(worst(def))), Value::text(def->id),
                           Value::integer(int64_t(it->second.size())), Value::text(def->title)});
  }
  d.sections.push_back(std::move(counts));

  // One section per check that ran: its cause and action once, then its findings.
  std::map<std::string, std::string> skipped(r.run.skipped.begin(), r.run.skipped.end());
  for (const CheckDef* def : order) {
    Section sec;
    Severity w = worst(def);
    sec.id = "check/" + def->id;
    sec.title = fmt::format("{} {}: {}", upper(severity_name(w)), def->id, def->title);
    sec.tag = severity_name(w);
    if (!def->meaning.empty()) sec.notes.emplace_back("meaning", def->meaning);
    if (!def->cause.empty()) sec.notes.emplace_back("cause", def->cause);
    if (!def->action.empty()) sec.notes.emplace_back("action", def->action);
    sec.columns = {{"check", "", Audience::Programs},
                   {"severity", "", Audience::Programs},
                   {"message", ""},
                   {"keys", ""},
                   {"details", "", Audience::Programs}};
    sec.layout = Layout::Records;
    sec.headline = 2;
    sec.items = 3;
    bool failing = false;
    if (auto it = by_check.find(def->id); it != by_check.end())
      for (const Finding* f : it->second) {
        failing = failing || (!r.fail_never && f->severity >= r.fail_on);
        sec.rows.push_back({Value::text(f->check), Value::text(severity_name(f->severity)), Value::text(f->message),
                            Value::of(keys_json(*f)), Value::of(details_json(f->details))});
      }
    sec.attrs = {{"check", def->id},      {"severity", severity_name(def->severity)},
                 {"title", def->title},   {"meaning", def->meaning},
                 {"origin", def->origin}, {"failing", failing ? "1" : "0"}};
    if (skipped.count(def->id)) sec.attrs["skipped"] = skipped[def->id];
    d.sections.push_back(std::move(sec));
  }
  Section sk;
  sk.id = "skipped";
  sk.title = "skipped checks";
  sk.columns = {{"check", ""}, {"reason", ""}};
  for (const auto& [id, why] : r.run.skipped) sk.rows.push_back({Value::text(id), Value::text(why)});
  d.sections.push_back(std::move(sk));
  return d;
}

Document check_list_document(const std::vector<CheckDef>& checks) {
  Document d;
  d.tool = "kvcheck";
  d.title = "kvcheck --list-checks";
  d.shape = Document::Shape::Rows;
  Section s;
  s.id = "checks";
  s.title = "checks";
  s.columns = {{"headline", "", Audience::People},
               {"explained", "", Audience::People},
               {"id", ""},
               {"severity", ""},
               {"title", ""},
               {"meaning", "", Audience::Programs},
               {"cause", "", Audience::Programs},
               {"action", "", Audience::Programs},
               {"requires", "", Audience::Programs},
               {"origin", "", Audience::Programs}};
  s.layout = Layout::Records;
  s.headline = 0;
  s.items = 1;
  for (const auto& c : checks) {
    boost::json::array explained{"meaning: " + c.meaning, "cause:   " + c.cause, "action:  " + c.action};
    boost::json::array requires_;
    for (const auto& x : c.requires_) requires_.emplace_back(x);
    s.rows.push_back({Value::text(fmt::format("{} ({}): {}", c.id, severity_name(c.severity), c.title)),
                      Value::of(std::move(explained)), Value::text(c.id), Value::text(severity_name(c.severity)),
                      Value::text(c.title), Value::text(c.meaning), Value::text(c.cause), Value::text(c.action),
                      Value::of(std::move(requires_)), Value::text(c.origin)});
  }
  d.sections.push_back(std::move(s));
  return d;
}

}  // namespace kvsnap
