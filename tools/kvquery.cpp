// kvquery: read-only SQL over a kvsnap database, with saved queries.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "query/query.h"
#include "render/print.h"
#include "store/open_db.h"
#include "store/snapshot_select.h"
#include "util/cli.h"
#include "util/error.h"

namespace po = boost::program_options;
using namespace kvsnap;

namespace {

ToolHelp tool_help() {
  ToolHelp h;
  h.name = "kvquery";
  h.summary = "query a kvsnap database with SQL or saved queries, read-only";
  h.synopsis = {"kvquery [-d DB] [-s SNAPSHOT] [-o FORMAT] [SQL | -q NAME] [-p NAME=VALUE]...",
                "kvquery --list             the saved queries",
                "kvquery --schema [TABLE]   every table and view, its columns and what they mean"};
  h.description =
      "Runs SQL against a kvsnap database, read-only: a statement that would write is refused and\n"
      "the file is left unchanged. current_snapshot() is the snapshot chosen with -s (default: the\n"
      "newest); ip_bin(), ip_text(), cidr_contains(), cidr_overlaps(), label_value(),\n"
      "identity_cluster(), rfc3339() and key_hash() are available (kvquery --schema lists the\n"
      "tables; a key is found fast in kv_text with WHERE key_hash = key_hash('K') AND key = 'K').\n"
      "DB may also be any input kvimport reads: it is imported into a temporary database first.\n"
      "\n"
      "Snapshots: with -s, or when the database holds one snapshot, every table with a\n"
      "snapshot_id column (kv, ipcache, node, ...) holds that snapshot's rows only, and table\n"
      "snapshot its one row, so \"select * from ipcache where ip = '10.0.1.8'\" cannot mix\n"
      "snapshots; main.TABLE (main.ipcache, main.snapshot) still holds every snapshot's rows. With\n"
      "several snapshots and no -s, the tables hold every snapshot's rows, as in sqlite3, and a note\n"
      "on stderr names the ones your SQL read that way. Saved queries work on current_snapshot().\n"
      "--list and --schema open no database.\n"
      "\n"
      "Output (-o): text (aligned columns; 'table' is another name for it), csv (RFC 4180), json (an\n"
      "array of objects, integers stay numbers), ndjson, markdown, html (one self-contained page).\n"
      "BLOBs that are valid UTF-8 print as text, others as \"base64:...\".";
  h.exit_status = "0 ran, 2 bad usage, an SQL error, or a statement that would write.";
  h.examples = {
      {"kvquery -d support.db -q pods-per-node", "a saved query over the newest snapshot"},
      {"kvquery -d support.db -s before \"select ip, identity from ipcache where k8s_namespace = 'payments'\"",
       "your own SQL, on snapshot before only"},
      {"kvquery -d support.db -q who-has-ip -p ip=10.0.1.8", "the endpoint, pod, identity and node of an IP"},
      {"kvquery --schema ipcache", "what the columns of table ipcache mean"},
  };
  for (const auto& q : builtin_queries()) h.choices["query"].push_back({q.name, q.description});
  h.file_options = {"db"};
  h.positional_files = false;
  add_output_choices(h, DocumentKind::Rows);
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path = "kvsnap.db";
  OutputChoice out;
  std::vector<std::string> params, positional;
  po::options_description opts;
  // One option per line, as --help lists them:
  // clang-format off
  opts.add_options()
      ("help,h", "show this help")
      ("db,d", po::value(&db_path)->value_name("DB"), "database file, or an input to import first (default kvsnap.db)")
      ("snapshot,s", po::value<std::string>()->value_name("SNAPSHOT"),
       "snapshot name or id: the only one your SQL's tables show, and current_snapshot() (default: the newest)")
      ("query,q", po::value<std::string>()->value_name("NAME"), "run the saved query NAME (kvquery --list)")
      ("param,p", po::value(&params)->value_name("NAME=VALUE"), "NAME=VALUE for the query's :NAME parameter (repeatable)")
      ("list", "list the saved queries")
      ("schema", po::value<std::string>()->implicit_value("")->value_name("TABLE"), "describe every table and view, or one");
  // clang-format on
  add_output_options(opts, out, DocumentKind::Rows);
  int status = 0;
  auto parsed = parse_command_line(argc, argv, tool_help(), opts, positional, status);
  if (!parsed) return status;
  const po::variables_map& vm = *parsed;
  try {
    chosen_format(out, DocumentKind::Rows);  // a wrong -o is refused before the work
    auto saved = builtin_queries();
    if (vm.count("list")) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& q : saved) {
        std::string ps;
        for (const auto& p : q.params) ps += (ps.empty() ? "" : " ") + p.name;
        rows.push_back({q.name, ps, q.description});
      }
      print_document(rows_document("kvquery", text_section("queries", {"query", "parameters", "description"}, rows)),
                     out, DocumentKind::Rows);
      return 0;
    }
    if (vm.count("schema")) {  // this kvsnap's schema: no database is opened
      std::string only = vm["schema"].as<std::string>();
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : describe_schema()) {
        if (!only.empty() && t.name != only) continue;
        rows.push_back({t.name, "", t.kind, t.meaning});
        for (const auto& c : t.columns) rows.push_back({t.name, c.name, c.type, c.meaning});
      }
      if (rows.empty()) throw UsageError(fmt::format("no table or view '{}' (kvquery --schema lists them)", only));
      print_document(rows_document("kvquery", text_section("schema", {"table", "column", "type", "meaning"}, rows)),
                     out, DocumentKind::Rows);
      return 0;
    }
    std::map<std::string, std::string> bound;
    for (const auto& p : params) {
      auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("-p '{}': expected NAME=VALUE", p));
      bound[p.substr(0, eq)] = p.substr(eq + 1);
    }
    std::string sql;
    if (vm.count("query")) {
      if (!positional.empty()) throw UsageError("give either SQL or -q NAME, not both");
      std::string name = vm["query"].as<std::string>();
      auto it = std::find_if(saved.begin(), saved.end(), [&](const SavedQuery& q) { return q.name == name; });
      if (it == saved.end()) throw UsageError(fmt::format("no saved query '{}' (kvquery --list)", name));
      sql = it->sql;
      for (const auto& p : it->params)
        if (!bound.count(p.name))
          throw UsageError(fmt::format("query {} needs -p {}=VALUE: {}", name, p.name, p.description));
    } else if (positional.size() == 1) {
      sql = positional[0];
    } else {
      throw UsageError(positional.empty() ? "give SQL, -q NAME, --list or --schema"
                                          : "give the SQL as one argument (quote it)");
    }

    if (!is_sqlite_file(db_path) && access(db_path.c_str(), F_OK) != 0 && db_path != "-")
      throw UsageError(fmt::format("{}: no such database or input", db_path));
    OpenedDb opened = open_db_or_import(db_path, std::nullopt, "", true);
    Db& db = *opened.db;
    db.enable_mmap();
    std::optional<std::string> spec;
    if (vm.count("snapshot")) spec = vm["snapshot"].as<std::string>();
    int64_t sid = 0, snapshots = 0;
    if (db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'snapshot'") > 0)
      snapshots = db.query_int("SELECT count(*) FROM snapshot");
    if (spec || snapshots > 0) sid = resolve_snapshot(db, spec);
    if (sid != 0)
      if (auto note = no_cilium_keys_note(db, sid); !note.empty()) print_error("kvquery", "note: " + note);
    // Free SQL sees one snapshot when -s chose it or the database holds one; with several and no
    // -s, every snapshot as before, and a note names the tables read that way (docs/database.md).
    // Saved queries filter by current_snapshot() themselves (snapshot-summary lists them all).
    SnapshotScope scope = SnapshotScope::None;
    if (!vm.count("query") && sid != 0)
      scope = spec || snapshots == 1 ? SnapshotScope::Snapshot : SnapshotScope::Watched;
    prepare_query_connection(db, sid, scope);
    std::set<std::string> unqualified, reads;
    auto results = run_readonly(db, sql, bound, scope == SnapshotScope::Watched ? &unqualified : nullptr, &reads);
    if (sid != 0 && (reads.count("kv_history") || reads.count("kv_revision"))) {
      // Every snapshot read: the chosen one, or without -s all of them (free SQL sees every row).
      std::vector<int64_t> read_ids{sid};
      if (scope == SnapshotScope::Watched) {
        read_ids.clear();
        Stmt all = db.prepare("SELECT id FROM main.snapshot ORDER BY id");
        while (all.step()) read_ids.push_back(all.int64(0));
      }
      for (int64_t id : read_ids)
        if (auto note = no_history_note(db, id); !note.empty()) print_error("kvquery", "note: " + note);
    }
    if (!unqualified.empty()) {
      std::string names;
      for (const auto& n : unqualified) names += (names.empty() ? "" : ", ") + n;
      print_error("kvquery", fmt::format("note: {} holds {} snapshots and no -s was given: {} gave the rows of all {} "
                                         "(-s SNAPSHOT gives one snapshot's; main.{} reads all without this note)",
                                         db_path, snapshots, names, snapshots, *unqualified.begin()));
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (i) std::cout << "\n";
      print_document(rows_document("kvquery", std::move(results[i])), out, DocumentKind::Rows);
    }
    return 0;
  } catch (const InputError& e) {
    print_error("kvquery", e.describe());
  } catch (const std::exception& e) {
    print_error("kvquery", e.what());
  }
  return 2;
}
