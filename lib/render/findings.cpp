#include "render/findings.h"

#include <map>

#include <boost/json.hpp>
#include <cctype>
#include <fmt/format.h>

#include "util/text.h"

#include "store/snapshot_select.h"
#include "util/time.h"

namespace kvsnap {
namespace {

std::map<Severity, int> summary(const CheckRun& run) {
  std::map<Severity, int> n{{Severity::Error, 0}, {Severity::Warning, 0}, {Severity::Info, 0}};
  for (const auto& f : run.findings) ++n[f.severity];
  return n;
}

std::string plural(int n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string exit_line(const CheckReport& r) {
  if (r.fail_never) return fmt::format("exit status {} (--fail-on never)", r.exit_status);
  return r.exit_status == 0
             ? fmt::format("exit status 0: nothing at or above {} (--fail-on {})", severity_name(r.fail_on), severity_name(r.fail_on))
             : fmt::format("exit status 1: findings at or above {} (--fail-on {})", severity_name(r.fail_on), severity_name(r.fail_on));
}

std::string snapshot_line(const CheckReport& r) {
  const auto& s = r.snapshot;
  return fmt::format("snapshot {} \"{}\" ({}, {} keys{}) from {}", s.id, s.name, s.format, s.keys,
                     s.revision ? fmt::format(", etcd revision {}", *s.revision) : "", s.source);
}

// "2025-03-10T08:15:00Z (from --now)", "at least ... (a lower bound: ...)", or why there is none.
std::string reference_time(const CheckContext& c) {
  if (!c.now) return c.now_source;
  return fmt::format("{}{} ({}{})", c.now_is_lower_bound ? "at least " : "", format_rfc3339(*c.now),
                     c.now_source == "--now" ? "from " : "", c.now_source);
}

std::string context_lines(const CheckReport& r) {
  const auto& c = r.context;
  return fmt::format("cluster {} (from {}), cluster ID {} (from {}), {} connected clusters\nreference time: {}\n",
                     c.cluster_name, c.cluster_name_source, c.cluster_id, c.cluster_id_source, c.max_clusters,
                     reference_time(c));
}

std::string render_text(const CheckReport& r) {
  if (r.nothing_to_check())
    return fmt::format("kvcheck: {}\n{}; exit status {}\n", snapshot_line(r), nothing_to_check_line(r.snapshot),
                       r.exit_status);
  std::string out = "kvcheck: " + snapshot_line(r) + "\n" + context_lines(r);
  auto n = summary(r.run);
  for (Severity sev : {Severity::Error, Severity::Warning, Severity::Info}) {
    if (n[sev] == 0) continue;
    std::string name = severity_name(sev);
    for (auto& ch : name) ch = char(std::toupper(ch));
    out += fmt::format("\n{} ({})\n", name, n[sev]);
    for (const auto& f : r.run.findings) {
      if (f.severity != sev) continue;
      out += fmt::format("  {:<31} {}\n", f.check, f.message);
      size_t shown = std::min<size_t>(f.keys.size(), 3);
      for (size_t i = 0; i < shown; ++i) out += fmt::format("  {:<31}   {}\n", "", f.keys[i]);
      if (f.keys.size() > shown) out += fmt::format("  {:<31}   ... and {} more (-o json lists all)\n", "", f.keys.size() - shown);
    }
  }
  if (!r.run.skipped.empty()) {
    out += "\nskipped:\n";
    for (const auto& [id, why] : r.run.skipped) out += fmt::format("  {:<31} {}\n", id, why);
  }
  out += fmt::format("\n{} run: {}, {}, {}; {}\n", plural(r.run.checks_run, "check"), plural(n[Severity::Error], "error"),
                     plural(n[Severity::Warning], "warning"), fmt::format("{} info", n[Severity::Info]), exit_line(r));
  return out;
}

boost::json::value details_value(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(boost::json::object()) : v;
}

boost::json::array keys_array(const Finding& f) {
  boost::json::array a;
  for (const auto& k : f.keys) a.emplace_back(k);
  return a;
}

std::string render_json(const CheckReport& r) {
  const auto& s = r.snapshot;
  const auto& c = r.context;
  auto n = summary(r.run);
  boost::json::object o;
  o["snapshot"] = {{"id", s.id}, {"name", s.name}, {"source", s.source}, {"format", s.format},
                   {"revision", s.revision ? boost::json::value(*s.revision) : nullptr}, {"keys", s.keys}};
  o["context"] = {{"cluster_name", c.cluster_name},
                  {"cluster_name_source", c.cluster_name_source},
                  {"cluster_id", c.cluster_id},
                  {"cluster_id_source", c.cluster_id_source},
                  {"max_connected_clusters", c.max_clusters},
                  {"identity_range", boost::json::array{c.id_min(), c.id_max()}},
                  {"reference_time", c.now ? boost::json::value(format_rfc3339(*c.now)) : nullptr},
                  {"reference_time_is_lower_bound", c.now_is_lower_bound},
                  {"reference_time_source", c.now_source}};
  o["summary"] = {{"verdict", r.nothing_to_check() ? "nothing-to-check" : r.run.findings.empty() ? "clean" : "findings"},
                  {"error", n[Severity::Error]}, {"warning", n[Severity::Warning]}, {"info", n[Severity::Info]},
                  {"checks_run", r.run.checks_run}, {"exit_status", r.exit_status}};
  if (r.nothing_to_check()) o["summary"].as_object()["message"] = nothing_to_check_line(r.snapshot);
  boost::json::array findings;
  for (const auto& f : r.run.findings)
    findings.push_back({{"check", f.check}, {"severity", severity_name(f.severity)}, {"message", f.message},
                        {"keys", keys_array(f)}, {"details", details_value(f.details)}});
  o["findings"] = std::move(findings);
  boost::json::array skipped;
  for (const auto& [id, why] : r.run.skipped) skipped.push_back({{"check", id}, {"reason", why}});
  o["skipped"] = std::move(skipped);
  return boost::json::serialize(o) + "\n";
}

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    default: return "note";
  }
}

std::string render_sarif(const CheckReport& r) {
  boost::json::array rules;
  std::map<std::string, size_t> index;
  for (const auto& c : *r.checks) {
    index[c.id] = rules.size();
    rules.push_back({{"id", c.id},
                     {"name", c.id},
                     {"shortDescription", {{"text", c.title}}},
                     {"fullDescription", {{"text", c.meaning.empty() ? c.title : c.meaning}}},
                     {"help", {{"text", fmt::format("Likely cause: {}\nWhat to do: {}", c.cause, c.action)}}},
                     {"defaultConfiguration", {{"level", sarif_level(c.severity)}}},
                     {"properties", {{"origin", c.origin}}}});
  }
  boost::json::array results;
  for (const auto& f : r.run.findings) {
    boost::json::array logical;
    for (const auto& k : f.keys) logical.push_back({{"fullyQualifiedName", k}, {"kind", "object"}});
    boost::json::object loc{{"physicalLocation", {{"artifactLocation", {{"uri", r.snapshot.source}}}}}};
    if (!logical.empty()) loc["logicalLocations"] = std::move(logical);
    boost::json::object res{{"ruleId", f.check},
                            {"level", sarif_level(f.severity)},
                            {"message", {{"text", f.message}}},
                            {"locations", boost::json::array{std::move(loc)}},
                            {"properties", {{"keys", keys_array(f)}, {"details", details_value(f.details)}}}};
    if (index.count(f.check)) res["ruleIndex"] = index[f.check];
    results.push_back(std::move(res));
  }
  // No Cilium key: the run did not do its job, which SARIF says with a failed invocation and a
  // notification rather than an empty result list that reads as clean.
  boost::json::object invocation{{"executionSuccessful", !r.nothing_to_check()}, {"exitCode", r.exit_status}};
  if (r.nothing_to_check())
    invocation["toolExecutionNotifications"] =
        boost::json::array{{{"level", "error"}, {"message", {{"text", nothing_to_check_line(r.snapshot)}}}}};
  boost::json::object driver{{"name", "kvcheck"},
                             {"fullName", "kvsnap kvcheck: consistency checks of a Cilium etcd kvstore"},
                             {"version", "0.1.0"},
                             {"informationUri", "https://github.com/cilium/cilium"},
                             {"rules", std::move(rules)}};
  boost::json::object run{{"tool", {{"driver", std::move(driver)}}},
                          {"results", std::move(results)},
                          {"invocations", boost::json::array{std::move(invocation)}},
                          {"properties", {{"snapshot", r.snapshot.name},
                                          {"cluster", r.context.cluster_name},
                                          {"reference_time", reference_time(r.context)}}}};
  boost::json::object o{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                        {"version", "2.1.0"},
                        {"runs", boost::json::array{std::move(run)}}};
  return boost::json::serialize(o) + "\n";
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

std::string render_junit(const CheckReport& r) {
  std::map<std::string, std::vector<const Finding*>> by_check;
  for (const auto& f : r.run.findings) by_check[f.check].push_back(&f);
  std::map<std::string, std::string> skipped(r.run.skipped.begin(), r.run.skipped.end());
  int failures = 0, tests = 0, skips = 0;
  std::string cases;
  for (const auto& c : *r.checks) {
    ++tests;
    std::string body;
    auto it = by_check.find(c.id);
    bool failed = false;
    std::string text;
    if (it != by_check.end()) {
      for (const Finding* f : it->second) {
        if (!r.fail_never && f->severity >= r.fail_on) failed = true;
        text += fmt::format("[{}] {}\n", severity_name(f->severity), f->message);
        for (const auto& k : f->keys) text += "    " + k + "\n";
      }
    }
    if (skipped.count(c.id)) {
      ++skips;
      body = fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(skipped[c.id]));
    } else if (failed) {
      ++failures;
      body = fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                         xml_escape(fmt::format("{}: {} finding(s)", c.title, it->second.size())),
                         severity_name(c.severity), xml_escape(text));
    } else if (!text.empty()) {
      body = fmt::format("      <system-out>{}</system-out>\n", xml_escape(text));
    }
    cases += fmt::format("    <testcase classname=\"kvcheck.{}\" name=\"{}\">\n{}    </testcase>\n",
                         xml_escape(r.snapshot.name), xml_escape(c.id), body);
  }
  int errors = 0;
  if (r.nothing_to_check()) {
    // One errored case instead of a suite of passes: a CI job must not turn green on it.
    tests = 1;
    failures = skips = 0;
    errors = 1;
    cases = fmt::format("    <testcase classname=\"kvcheck.{0}\" name=\"cilium-keys\">\n      <error message=\"{1}\"/>\n"
                        "    </testcase>\n",
                        xml_escape(r.snapshot.name), xml_escape(nothing_to_check_line(r.snapshot)));
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"kvcheck\" tests=\"{0}\" failures=\"{1}\" errors=\"{5}\" skipped=\"{2}\">\n"
      "  <testsuite name=\"kvcheck {3}\" tests=\"{0}\" failures=\"{1}\" errors=\"{5}\" skipped=\"{2}\">\n"
      "    <properties>\n      <property name=\"reference_time\" value=\"{6}\"/>\n    </properties>\n{4}"
      "  </testsuite>\n</testsuites>\n",
      tests, failures, skips, xml_escape(r.snapshot.name), cases, errors, xml_escape(reference_time(r.context)));
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

std::string render_markdown(const CheckReport& r) {
  auto n = summary(r.run);
  const auto& c = r.context;
  std::string out = fmt::format("## kvcheck: {}\n\n", md_escape(r.snapshot.name));
  out += "| | |\n|---|---|\n";
  out += fmt::format("| snapshot | {} ({}, {} keys{}) |\n", md_escape(r.snapshot.source), r.snapshot.format, r.snapshot.keys,
                     r.snapshot.revision ? fmt::format(", revision {}", *r.snapshot.revision) : "");
  out += fmt::format("| cluster | {} (ID {}) |\n", md_escape(c.cluster_name), c.cluster_id);
  out += fmt::format("| reference time | {} |\n", md_escape(reference_time(c)));
  if (r.nothing_to_check()) {
    out += fmt::format("| result | **{}**; exit status {} |\n", md_escape(nothing_to_check_line(r.snapshot)),
                       r.exit_status);
    return out;
  }
  out += fmt::format("| result | {} errors, {} warnings, {} info; {} |\n\n", n[Severity::Error], n[Severity::Warning],
                     n[Severity::Info], exit_line(r));
  for (Severity sev : {Severity::Error, Severity::Warning, Severity::Info}) {
    if (n[sev] == 0) continue;
    out += fmt::format("### {} ({})\n\n", sev == Severity::Error ? "Errors" : sev == Severity::Warning ? "Warnings" : "Info",
                       n[sev]);
    for (const auto& f : r.run.findings) {
      if (f.severity != sev) continue;
      out += fmt::format("- **{}**: {}\n", f.check, md_escape(f.message));
      size_t shown = std::min<size_t>(f.keys.size(), 5);
      for (size_t i = 0; i < shown; ++i) out += fmt::format("  - `{}`\n", f.keys[i]);
      if (f.keys.size() > shown) out += fmt::format("  - ... and {} more\n", f.keys.size() - shown);
    }
    out += "\n";
  }
  if (!r.run.skipped.empty()) {
    out += "Skipped: ";
    for (size_t i = 0; i < r.run.skipped.size(); ++i)
      out += fmt::format("{}{} ({})", i ? ", " : "", r.run.skipped[i].first, md_escape(r.run.skipped[i].second));
    out += "\n";
  }
  return out;
}

}  // namespace

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> kFormats = {
      // Outputs for a person show control bytes escaped (terminal_safe); the others encode them.
      {"text", [](const CheckReport& r) { return terminal_safe(render_text(r)); }},
      {"json", render_json},
      {"sarif", render_sarif},
      {"junit", render_junit},
      {"markdown", [](const CheckReport& r) { return terminal_safe(render_markdown(r)); }},
  };
  return kFormats;
}

const ReportFormat* find_report_format(std::string_view name) {
  for (const auto& f : report_formats())
    if (name == f.name) return &f;
  return nullptr;
}

std::string nothing_to_check_line(const SnapshotInfo& s) {
  return fmt::format("no Cilium keys: nothing to check (the snapshot holds {} key{}, none under cilium/)", s.keys,
                     s.keys == 1 ? "" : "s");
}

SnapshotInfo load_snapshot_info(Db& db, int64_t id) {
  SnapshotInfo s;
  Stmt q = db.prepare("SELECT id, name, source, format, revision, key_count FROM snapshot WHERE id = ?");
  q.bind(1, id);
  if (q.step()) {
    s.id = q.int64(0);
    s.name = q.text(1);
    s.source = q.text(2);
    s.format = q.text(3);
    if (!q.is_null(4)) s.revision = q.int64(4);
    s.keys = q.int64(5);
  }
  s.cilium_keys = cilium_key_count(db, id);
  return s;
}

}  // namespace kvsnap
