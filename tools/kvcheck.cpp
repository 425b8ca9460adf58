// kvcheck: runs consistency checks over one snapshot of a Cilium kvstore.
#include <unistd.h>

#include <iostream>
#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "check/baseline.h"
#include "check/checks.h"
#include "check/figures.h"
#include "check/report.h"
#include "render/print.h"
#include "store/importer.h"
#include "store/open_db.h"
#include "store/schema.h"
#include "store/snapshot_select.h"
#include "store/sql_functions.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/time.h"

namespace po = boost::program_options;
using namespace kvsnap;

namespace {

ToolHelp tool_help() {
  ToolHelp h;
  h.name = "kvcheck";
  h.summary = "check a snapshot of a Cilium kvstore for inconsistencies";
  h.synopsis = {"kvcheck [-d DB] [-s SNAPSHOT] [INPUT] [-o FORMAT] [--fail-on LEVEL] [--check ID]... [--skip ID]...",
                "kvcheck --list-checks"};
  h.description =
      "Checks one snapshot of a Cilium kvstore for inconsistencies (orphan identities, IPs pointing at\n"
      "missing identities, overlapping node CIDRs, stale heartbeats, ...) and reports what is wrong,\n"
      "which etcd keys are involved, the likely cause and what to do. `kvcheck --list-checks` explains\n"
      "every check.\n"
      "\n"
      "Reads snapshot SNAPSHOT (name or id; default: the newest) of database DB, or imports INPUT (any\n"
      "format kvimport reads) into a temporary database first (removed as soon as it is open).\n"
      "\n"
      "With --baseline OLD (an earlier snapshot of DB, or an input file) the checks that need history\n"
      "run too: they compare the snapshot with OLD (a lock unchanged in both is stuck, not passing).";
  h.exit_status =
      "0 no finding at or above --fail-on, 1 there is one, 2 bad usage or input,\n"
      "3 the snapshot holds no Cilium key (nothing under cilium/): nothing to check, no verdict.";
  h.examples = {
      {"kvcheck etcd-dump.json", "import the dump into a temporary database and check it"},
      {"kvcheck -d support.db -s before --fail-on warning", "check the snapshot named before; exit 1 on a warning"},
      {"kvcheck sysdump.zip -o sarif > kvcheck.sarif", "findings for a code-scanning dashboard"},
      {"kvcheck -d support.db -o html > report.html", "one self-contained page with the pictures"},
      {"kvcheck -d support.db -s after --baseline before",
       "also the checks that need two snapshots: a lock held by the same lease in both (lock-stuck), identities "
       "deleted while in use, node CIDRs that moved under their endpoints"},
  };
  for (const auto& c : builtin_checks())
    h.choices["check"].push_back({c.id, std::string(severity_name(c.severity)) + ": " + c.title});
  h.choices["skip"] = h.choices["check"];
  h.choices["fail-on"] = {{"error", "exit 1 on an error (default)"},
                          {"warning", "on a warning or an error"},
                          {"info", "on any finding"},
                          {"never", "exit 0 whatever is found"}};
  h.choices["max-connected-clusters"] = {{"255", "cluster IDs 1-255 (Cilium's default)"},
                                         {"511", "cluster IDs 1-511: fewer identities per cluster"}};
  h.choices["now"] = {{"file-mtime", "the input file's modification time (a copy changes it)"}};
  h.file_options = {"db"};
  h.directory_options = {"checks-dir"};
  add_output_choices(h, DocumentKind::Findings);
  return h;
}

Severity fail_level(const std::string& s, bool& never) {
  never = s == "never";
  if (never) return Severity::Error;
  auto sev = parse_severity(s);
  if (!sev) throw UsageError(fmt::format("--fail-on must be error, warning, info or never, not '{}'", s));
  return *sev;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path, fail_on = "error";
  OutputChoice out;
  std::vector<std::string> only, skip, inputs;
  po::options_description opts;
  // One option per line, as --help lists them:
  // clang-format off
  opts.add_options()
      ("help,h", "show this help")
      ("db,d", po::value(&db_path)->value_name("DB"), "database file (default kvsnap.db when no INPUT is given)")
      ("snapshot,s", po::value<std::string>()->value_name("SNAPSHOT"), "snapshot name or id (default: the newest)")
      ("fail-on", po::value(&fail_on)->value_name("LEVEL"),
       "exit 1 when a finding is at or above: error (default), warning, info, never")
      ("check", po::value(&only)->value_name("ID"), "run only this check (repeatable)")
      ("skip", po::value(&skip)->value_name("ID"), "do not run this check (repeatable)")
      ("checks-dir", po::value<std::string>()->value_name("DIR"), "add the checks (*.sql, same header) of this folder")
      ("list-checks", "list the checks with what they mean, the likely cause and what to do")
      ("cluster-name", po::value<std::string>()->value_name("NAME"),
       "the local cluster's name (default: from the snapshot)")
      ("cluster-id", po::value<int64_t>()->value_name("ID"), "the local cluster's ID (default: from the snapshot)")
      ("max-connected-clusters", po::value<int>()->default_value(255)->value_name("N"),
       "255 or 511: sets the identity ranges")
      ("now", po::value<std::string>()->value_name("TIME"),
       "reference time of age checks: an RFC 3339 time, or file-mtime (the input file's modification time, which a "
       "copy changes). Default: what the input states (a sysdump's name) and the newest time in its data, as a "
       "lower bound; age checks are skipped when there is neither")
      ("baseline", po::value<std::string>()->value_name("OLD"), "an earlier snapshot to compare with (a name or id in DB, or an input file): adds the checks that need history, such as lock-stuck")
      ("save", "store the findings in the database's finding table (needs -d)");
  // clang-format on
  add_output_options(opts, out, DocumentKind::Findings);
  int status = 0;
  auto parsed = parse_command_line(argc, argv, tool_help(), opts, inputs, status);
  if (!parsed) return status;
  const po::variables_map& vm = *parsed;
  try {
    std::vector<CheckDef> checks = builtin_checks();
    if (vm.count("checks-dir")) {
      for (auto& c : load_checks_dir(vm["checks-dir"].as<std::string>())) {
        for (const auto& b : checks)
          if (b.id == c.id)
            throw UsageError(fmt::format("{}: check id {} is already a built-in check", c.origin, c.id));
        checks.push_back(std::move(c));
      }
    }
    if (vm.count("list-checks")) {
      print_document(check_list_document(checks), out, DocumentKind::Rows);
      return 0;
    }
    chosen_format(out, DocumentKind::Findings);  // a wrong -o is refused before the work
    bool fail_never = false;
    Severity fail = fail_level(fail_on, fail_never);
    std::set<std::string> known;
    for (const auto& c : checks) known.insert(c.id);
    for (const auto& id : only)
      if (!known.count(id)) throw UsageError(fmt::format("--check {}: no such check (kvcheck --list-checks)", id));
    for (const auto& id : skip)
      if (!known.count(id)) throw UsageError(fmt::format("--skip {}: no such check (kvcheck --list-checks)", id));
    std::vector<CheckDef> selected;
    for (auto& c : checks)
      if ((only.empty() || std::count(only.begin(), only.end(), c.id)) && !std::count(skip.begin(), skip.end(), c.id))
        selected.push_back(c);

    if (inputs.size() > 1) throw UsageError("give one INPUT (or a database with -d)");
    if (!inputs.empty() && !db_path.empty()) throw UsageError("give either -d DB or an INPUT, not both");
    bool save = vm.count("save") > 0;
    if (save && !inputs.empty()) throw UsageError("--save needs a database (-d DB), not an INPUT");
    ContextOverrides ov;
    ov.max_clusters = vm["max-connected-clusters"].as<int>();
    if (ov.max_clusters != 255 && ov.max_clusters != 511)
      throw UsageError(fmt::format("--max-connected-clusters {}: Cilium accepts 255 or 511", ov.max_clusters));
    if (vm.count("cluster-id")) {
      ov.cluster_id = vm["cluster-id"].as<int64_t>();
      if (*ov.cluster_id < 0 || *ov.cluster_id > ov.max_clusters)
        throw UsageError(fmt::format("--cluster-id {}: cluster IDs are 0 to {}{}", *ov.cluster_id, ov.max_clusters,
                                     ov.max_clusters == 255 ? " (0 to 511 with --max-connected-clusters 511)" : ""));
    }
    if (vm.count("cluster-name")) {
      // Cilium's own rules changed between versions; what no version can hold is refused: an
      // empty name, or one with '/', spaces or control bytes (it is a segment of etcd keys).
      const std::string name = vm["cluster-name"].as<std::string>();
      bool ok = !name.empty() && name.size() <= 253;
      for (unsigned char ch : name) ok = ok && ch > ' ' && ch != '/' && ch != 0x7f;
      if (!ok)
        throw UsageError(
            fmt::format("--cluster-name '{}': not a cluster name (it is a segment of etcd keys: not "
                        "empty, no '/', spaces or control characters)",
                        name));
      ov.cluster_name = name;
    }
    if (vm.count("now")) {
      const std::string& now = vm["now"].as<std::string>();
      ov.now_from_file_mtime = now == "file-mtime";
      if (!ov.now_from_file_mtime) ov.now = parse_rfc3339(now);
      if (!ov.now && !ov.now_from_file_mtime)
        throw UsageError(
            fmt::format("--now '{}' is neither an RFC 3339 time (2025-03-10T08:15:00Z) nor file-mtime", now));
    }

    OpenedDb opened;
    if (!inputs.empty()) {
      opened = open_db_or_import(inputs[0]);
    } else {
      if (db_path.empty()) db_path = "kvsnap.db";
      if (save)
        opened.db = open_kvsnap_db(db_path, Db::Mode::ReadWrite);
      else
        opened = open_db_or_import(db_path, std::nullopt, "", true);
      if (save) ensure_schema(*opened.db, db_path);
    }
    Db* db = opened.db.get();
    db->enable_mmap();
    register_sql_functions(*db);
    std::optional<std::string> spec;
    if (vm.count("snapshot")) spec = vm["snapshot"].as<std::string>();
    int64_t sid = resolve_snapshot(*db, spec);

    CheckReport report;
    report.snapshot = load_snapshot_info(*db, sid);
    report.context = make_context(*db, sid, ov);
    report.checks = &selected;
    report.fail_on = fail;
    report.fail_never = fail_never;
    if (report.nothing_to_check()) {
      // Not "0 errors": a file without Cilium keys says nothing about a Cilium cluster.
      report.exit_status = kExitNothingToCheck;
      print_document(check_report_document(report), out, DocumentKind::Findings);
      return report.exit_status;
    }
    OpenedDb baseline_input;  // --baseline FILE: its temporary database, attached as `old`
    if (vm.count("baseline")) {
      report.context.baseline =
          attach_baseline(*db, opened.imported, sid, vm["baseline"].as<std::string>(), baseline_input);
    }
    report.run = run_checks(*db, selected, report.context, int(reader_count()));
    for (const auto& f : report.run.findings)
      if (!fail_never && f.severity >= fail) report.exit_status = 1;
    if (save) {
      Transaction t(*db);
      save_findings(*db, sid, report.run);
      t.commit();
    }
    Document doc = check_report_document(report);
    if (chosen_format(out, DocumentKind::Findings).render == render_html) doc.figures = check_figures(*db, report);
    print_document(doc, out, DocumentKind::Findings);
    return report.exit_status;
  } catch (const InputError& e) {
    print_error("kvcheck", e.describe());
  } catch (const std::exception& e) {
    print_error("kvcheck", e.what());
  }
  return 2;
}
