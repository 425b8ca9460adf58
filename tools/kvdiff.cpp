// kvdiff: what changed between two snapshots of a Cilium kvstore, entity by entity.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "check/baseline.h"
#include "diff/diff.h"
#include "diff/report.h"
#include "render/print.h"
#include "store/open_db.h"
#include "store/snapshot_select.h"
#include "store/sql_functions.h"
#include "util/cli.h"
#include "util/codec.h"
#include "util/error.h"

namespace po = boost::program_options;
using namespace kvsnap;

namespace {

ToolHelp tool_help() {
  ToolHelp h;
  h.name = "kvdiff";
  h.summary = "compare two snapshots of a Cilium kvstore entity by entity";
  h.synopsis = {"kvdiff [-d DB] OLD NEW [-o FORMAT] [--summary] [--entity TYPE]... [--include-metadata]"};
  h.description =
      "Compares two snapshots entity by entity: nodes by cluster and name, identities by id (and\n"
      "notices a label set that moved to another id), identity references, ipcache entries by IP,\n"
      "services by cluster/namespace/name, cluster configs, and every other key as raw bytes. For a\n"
      "changed entity it shows the fields that changed, decoded. It also says which kvcheck\n"
      "findings are new in NEW and which were resolved.\n"
      "\n"
      "OLD and NEW are snapshots of DB (name or id), or input files (any format kvimport reads).\n"
      "FILE@REV is an etcd snapshot file's state at an older revision it still holds.\n"
      "Revisions and leases are not compared unless --include-metadata.";
  h.exit_status = "0 nothing differs, 1 something does, 2 bad usage or input (the diff convention).";
  h.examples = {
      {"kvdiff -d support.db before after", "what changed between two imported snapshots"},
      {"kvdiff before.json after.json --summary", "the counts only, straight from two dumps"},
      {"kvdiff snapshot.db@120000 snapshot.db", "an etcd snapshot file against its own older revision"},
  };
  for (const auto& e : builtin_entities()) h.choices["entity"].push_back({e.name, e.description});
  h.file_options = {"db"};
  add_output_choices(h, DocumentKind::Report);
  return h;
}

struct Side {
  OpenedDb opened;
  Db* db = nullptr;
  int64_t id = 0;
};

Side resolve(const std::string& arg, Db* db) {
  Side s;
  if (db) {
    try {
      s.id = resolve_snapshot(*db, arg);
      s.db = db;
      return s;
    } catch (const UsageError&) {
      if (access(arg.c_str(), F_OK) != 0 && arg.find('@') == std::string::npos) throw;
    }
  }
  std::string path = arg;
  std::optional<int64_t> rev;
  auto at = arg.rfind('@');
  if (access(arg.c_str(), F_OK) != 0 && at != std::string::npos) {
    rev = parse_i64(arg.substr(at + 1));
    if (!rev) throw UsageError(fmt::format("{}: no such snapshot or file (FILE@REV needs a number after @)", arg));
    path = arg.substr(0, at);
  }
  if (access(path.c_str(), F_OK) != 0)
    throw UsageError(db ? fmt::format("{}: no such snapshot in {} and no such file", arg, db->path())
                        : fmt::format("{}: no such file (give -d DB to name snapshots)", arg));
  s.opened = open_db_or_import(path, rev, arg, false, true);  // kept linked until attached as a baseline
  s.db = s.opened.db.get();
  s.id = resolve_snapshot(*s.db, std::nullopt);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path;
  OutputChoice out;
  std::vector<std::string> entities, positional;
  po::options_description opts;
  // One option per line, as --help lists them:
  // clang-format off
  opts.add_options()
      ("help,h", "show this help")
      ("db,d", po::value(&db_path)->value_name("DB"), "database holding the snapshots (default kvsnap.db when it exists)")
      ("summary", "only the counts per entity and change kind")
      ("entity", po::value(&entities)->value_name("TYPE"), "compare only this entity type (repeatable)")
      ("include-metadata", "also report changes of revisions and leases")
      ("no-findings", "do not run kvcheck on both snapshots");
  // clang-format on
  add_output_options(opts, out, DocumentKind::Report);
  int status = 0;
  auto parsed = parse_command_line(argc, argv, tool_help(), opts, positional, status);
  if (!parsed) return status;
  const po::variables_map& vm = *parsed;
  try {
    chosen_format(out, DocumentKind::Report);  // a wrong -o is refused before the work
    if (positional.size() != 2) throw UsageError("give OLD and NEW");
    std::vector<std::string> known;
    for (const auto& e : builtin_entities()) known.push_back(e.name);
    for (const auto& e : entities)
      if (std::find(known.begin(), known.end(), e) == known.end())
        throw UsageError(
            fmt::format("--entity {}: not one of node identity identity_ref ipcache service cluster_config key", e));
    std::unique_ptr<Db> db;
    if (db_path.empty() && access("kvsnap.db", F_OK) == 0) db_path = "kvsnap.db";
    if (!db_path.empty()) {
      db = open_kvsnap_db(db_path, Db::Mode::ReadOnly);
      db->enable_mmap();
    }
    Side a = resolve(positional[0], db.get());
    Side b = resolve(positional[1], db.get());
    // OLD attached to NEW's connections as `old`, for the checks that compare the two; then the
    // temporary files go (their connections keep reading them).
    std::optional<CheckContext::Baseline> baseline;
    if (!vm.count("no-findings") && !(a.db == b.db && a.id == b.id)) {
      try {
        baseline =
            attach_baseline_snapshot(*b.db, b.id, *a.db, a.opened.imported ? a.opened.file.path() : a.db->path(), a.id);
      } catch (const UsageError& e) {  // OLD is not known to be earlier: the diff stands, not those checks
        print_error("kvdiff", std::string("note: ") + e.what() + "; the checks that compare two snapshots are not run");
      }
    }
    a.opened.file.remove();
    b.opened.file.remove();
    for (Side* s : {&a, &b}) register_sql_functions(*s->db);
    DiffReport report;
    for (const Side* s : {&a, &b})
      if (auto note = no_cilium_keys_note(*s->db, s->id); !note.empty())
        print_error("kvdiff", "note: " + note + ": only its other keys are compared");
    report.old_s = load_snapshot_info(*a.db, a.id);
    report.new_s = load_snapshot_info(*b.db, b.id);
    DiffOptions dopts;
    dopts.entities = entities;
    dopts.include_metadata = vm.count("include-metadata") > 0;
    // Without findings the reader connections are free (else the checks use them meanwhile); below
    // 100,000 keys a second thread costs more than it saves.
    if (vm.count("no-findings") && reader_count() >= 2) dopts.split_key_merge_above = 100000;
    report.include_metadata = dopts.include_metadata;
    report.summary_only = vm.count("summary") > 0;
    // The checks run on their own connections while the keys are compared on the main ones.
    std::future<FindingDiff> findings;
    if (!vm.count("no-findings")) findings = start_diff_findings({a.db, a.id}, {b.db, b.id}, baseline);
    report.diff = diff_snapshots({a.db, a.id}, {b.db, b.id}, dopts);
    if (findings.valid()) report.findings = findings.get();
    bool differs = report.diff.differs();
    Document doc = diff_report_document(std::move(report));
    print_document(doc, out, DocumentKind::Report);
    exit_after_output(differs ? 1 : 0);
  } catch (const InputError& e) {
    print_error("kvdiff", e.describe());
  } catch (const std::exception& e) {
    print_error("kvdiff", e.what());
  }
  return 2;
}
