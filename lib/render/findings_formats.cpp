// The formats only kvcheck's reports have: SARIF 2.1.0 and JUnit XML. They read the findings
// document as every other format does: one section per check ("check/<id>", attrs check,
// severity, title, meaning, origin, failing; notes cause and action; rows with check, severity,
// message, keys, details), a "skipped" section (check, reason), and the facts snapshot,
// reference_time and nothing_to_check.
#include <map>

#include <fmt/format.h>

#include "render/output.h"

namespace kvsnap {
namespace {

const char* sarif_level(std::string_view severity) {
  return severity == "error" ? "error" : severity == "warning" ? "warning" : "note";
}

std::string attr(const Section& s, const char* name) {
  auto it = s.attrs.find(name);
  return it == s.attrs.end() ? std::string() : it->second;
}

std::string note(const Section& s, const char* label) {
  for (const auto& [l, text] : s.notes)
    if (l == label) return text;
  return "";
}

const Value* column(const Section& s, const std::vector<Value>& row, std::string_view name) {
  for (size_t c = 0; c < s.columns.size(); ++c)
    if (s.columns[c].name == name) return &row[c];
  return nullptr;
}

const Value* fact(const Document& d, std::string_view key) {
  for (const auto& f : d.facts)
    if (f.key == key) return &f.value;
  return nullptr;
}

std::string snapshot_field(const Document& d, const char* field) {
  const Value* s = fact(d, "snapshot");
  if (!s || s->kind != Value::Kind::Json || !s->json.is_object()) return "";
  const auto* v = s->json.get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string nothing_to_check(const Document& d) {
  const Value* v = fact(d, "nothing_to_check");
  return v && !v->is_null() ? display(*v) : "";
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
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += "?";
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string render_sarif(const Document& d, const RenderOptions&) {
  boost::json::array rules, results;
  std::string source = snapshot_field(d, "source");
  for (const auto& s : d.sections) {
    if (!s.id.starts_with("check/")) continue;
    size_t index = rules.size();
    std::string meaning = attr(s, "meaning"), title = attr(s, "title");
    rules.push_back(
        {{"id", attr(s, "check")},
         {"name", attr(s, "check")},
         {"shortDescription", {{"text", title}}},
         {"fullDescription", {{"text", meaning.empty() ? title : meaning}}},
         {"help", {{"text", fmt::format("Likely cause: {}\nWhat to do: {}", note(s, "cause"), note(s, "action"))}}},
         {"defaultConfiguration", {{"level", sarif_level(attr(s, "severity"))}}},
         {"properties", {{"origin", attr(s, "origin")}}}});
    for (const auto& row : s.rows) {
      const Value* keys = column(s, row, "keys");
      boost::json::array logical;
      if (keys && keys->kind == Value::Kind::Json && keys->json.is_array())
        for (const auto& k : keys->json.get_array()) logical.push_back({{"fullyQualifiedName", k}, {"kind", "object"}});
      boost::json::object loc{{"physicalLocation", {{"artifactLocation", {{"uri", source}}}}}};
      if (!logical.empty()) loc["logicalLocations"] = std::move(logical);
      const Value* details = column(s, row, "details");
      results.push_back({{"ruleId", attr(s, "check")},
                         {"ruleIndex", index},
                         {"level", sarif_level(display(*column(s, row, "severity")))},
                         {"message", {{"text", display(*column(s, row, "message"))}}},
                         {"locations", boost::json::array{std::move(loc)}},
                         {"properties",
                          {{"keys", keys ? to_json(*keys) : boost::json::array()},
                           {"details", details ? to_json(*details) : boost::json::object()}}}});
    }
  }
  // No Cilium key: the run did not do its job, which SARIF says with a failed invocation and a
  // notification rather than an empty result list that reads as clean.
  std::string nothing = nothing_to_check(d);
  boost::json::object invocation{{"executionSuccessful", nothing.empty()}, {"exitCode", d.exit_status}};
  if (!nothing.empty())
    invocation["toolExecutionNotifications"] =
        boost::json::array{{{"level", "error"}, {"message", {{"text", nothing}}}}};
  const Value* reference = fact(d, "reference_time_text");
  boost::json::object driver{{"name", "kvcheck"},
                             {"fullName", "kvsnap kvcheck: consistency checks of a Cilium etcd kvstore"},
                             {"version", "0.1.0"},
                             {"informationUri", "https://github.com/cilium/cilium"},
                             {"rules", std::move(rules)}};
  boost::json::object run{
      {"tool", {{"driver", std::move(driver)}}},
      {"results", std::move(results)},
      {"invocations", boost::json::array{std::move(invocation)}},
      {"properties",
       {{"snapshot", snapshot_field(d, "name")}, {"reference_time", reference ? display(*reference) : ""}}}};
  boost::json::object o{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                        {"version", "2.1.0"},
                        {"runs", boost::json::array{std::move(run)}}};
  return json_text(o) + "\n";
}

std::string render_junit(const Document& d, const RenderOptions&) {
  std::map<std::string, std::string> skipped;
  for (const auto& s : d.sections)
    if (s.id == "skipped")
      for (const auto& row : s.rows) skipped[display(*column(s, row, "check"))] = display(*column(s, row, "reason"));
  std::string name = xml_escape(snapshot_field(d, "name"));
  int failures = 0, tests = 0, skips = 0, errors = 0;
  std::string cases;
  std::string nothing = nothing_to_check(d);
  if (!nothing.empty()) {
    // One errored case instead of a suite of passes: a CI job must not turn green on it.
    tests = errors = 1;
    cases = fmt::format(
        "    <testcase classname=\"kvcheck.{0}\" name=\"cilium-keys\">\n      <error message=\"{1}\"/>\n"
        "    </testcase>\n",
        name, xml_escape(nothing));
  }
  for (const auto& s : d.sections) {
    if (!s.id.starts_with("check/") || !nothing.empty()) continue;
    ++tests;
    std::string id = attr(s, "check"), text, body;
    for (const auto& row : s.rows) {
      text += fmt::format("[{}] {}\n", display(*column(s, row, "severity")), display(*column(s, row, "message")));
      const Value* keys = column(s, row, "keys");
      if (keys && keys->kind == Value::Kind::Json && keys->json.is_array())
        for (const auto& k : keys->json.get_array()) text += "    " + display(Value::of(k)) + "\n";
    }
    if (skipped.count(id)) {
      ++skips;
      body = fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(skipped[id]));
    } else if (attr(s, "failing") == "1") {
      ++failures;
      body = fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                         xml_escape(fmt::format("{}: {} finding(s)", attr(s, "title"), s.rows.size())),
                         attr(s, "severity"), xml_escape(text));
    } else if (!text.empty()) {
      body = fmt::format("      <system-out>{}</system-out>\n", xml_escape(text));
    }
    cases += fmt::format("    <testcase classname=\"kvcheck.{}\" name=\"{}\">\n{}    </testcase>\n", name,
                         xml_escape(id), body);
  }
  const Value* reference = fact(d, "reference_time_text");
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"kvcheck\" tests=\"{0}\" failures=\"{1}\" errors=\"{5}\" skipped=\"{2}\">\n"
      "  <testsuite name=\"kvcheck {3}\" tests=\"{0}\" failures=\"{1}\" errors=\"{5}\" skipped=\"{2}\">\n"
      "    <properties>\n      <property name=\"reference_time\" value=\"{6}\"/>\n    </properties>\n{4}"
      "  </testsuite>\n</testsuites>\n",
      tests, failures, skips, name, cases, errors, xml_escape(reference ? display(*reference) : ""));
}

}  // namespace kvsnap
