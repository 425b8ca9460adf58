// kvimport: reads etcd and Cilium kvstore dumps into a kvsnap SQLite database.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "cilium/layouts.h"
#include "etcd/formats.h"
#include "etcd/mvcc.h"
#include "io/input.h"
#include "render/print.h"
#include "store/import_file.h"
#include "store/import_report.h"
#include "store/importer.h"
#include "store/open_db.h"
#include "store/schema.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/temp_file.h"
#include "util/time.h"

namespace po = boost::program_options;
using namespace kvsnap;

namespace {

ToolHelp tool_help() {
  ToolHelp h;
  h.name = "kvimport";
  h.summary = "import etcd dumps, cilium sysdumps and etcd snapshots of a Cilium kvstore into SQLite";
  h.synopsis = {"kvimport [-d DB] [-n NAME] [--format F] [--prefix P] [-o FORMAT] [--replace] INPUT...",
                "kvimport --status FILE [-o json]     etcdctl snapshot status of an etcd db file, and more",
                "kvimport --verify FILE [-o json]     integrity checks of an etcd db file (exit 1 on a problem)"};
  h.description =
      "Imports each INPUT as one snapshot into the SQLite database DB: every key and value byte for\n"
      "byte (table kv), and Cilium's keys decoded into tables (identity, ipcache, node, ...).\n"
      "All inputs are imported in one transaction: if one fails, the database is left as it was.\n"
      "\n"
      "INPUT is a file, '-' for standard input, or a cilium sysdump folder. Its format is detected\n"
      "from the content (--list-formats); .zst and .gz compression is undone. etcd snapshot files\n"
      "(etcdctl snapshot save, or a member's member/snap/db) are read natively and read-only: kv gets\n"
      "the latest state, kv_history every revision the file holds, lease its leases.";
  h.exit_status =
      "0 imported (--verify: no problem), 1 --verify found a problem, 2 bad usage or an\n"
      "input that cannot be read (nothing imported).";
  h.examples = {
      {"etcdctl get --prefix cilium/ -w json > dump.json && kvimport -d support.db -n before dump.json",
       "import a dump as the snapshot named before"},
      {"kvimport -d support.db cilium-sysdump-20250310-081500.zip", "import the kvstore files of a cilium sysdump"},
      {"kvimport --status snapshot.db", "what etcdctl snapshot status says about an etcd snapshot file, and more"},
  };
  for (const auto& f : input_formats()) h.choices["format"].push_back({f.name, f.description});
  h.file_options = {"db"};
  add_output_choices(h, DocumentKind::Report);
  return h;
}

struct ProgressLine {
  bool enabled = isatty(STDERR_FILENO);
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last;
  bool shown = false;
  void update(const std::string& name, int64_t keys, uint64_t bytes) {
    if (!enabled) return;
    auto now = std::chrono::steady_clock::now();
    // Only for inputs that take a while, and at most a few times a second.
    if (now - start < std::chrono::seconds(1) || now - last < std::chrono::milliseconds(250)) return;
    last = now;
    shown = true;
    std::fprintf(stderr, "\rkvimport: %s: %lld keys, %.1f MB read", name.c_str(), static_cast<long long>(keys),
                 double(bytes) / 1e6);
    std::fflush(stderr);
  }
  void clear() {
    if (shown) std::fprintf(stderr, "\r\033[K");
    shown = false;
  }
};

std::string dir_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string file_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;
  if (::fsync(fd) != 0 && (flags & O_DIRECTORY) == 0)
    throw std::runtime_error(fmt::format("{}: cannot write the database to disk: {}", path, std::strerror(errno)));
  ::close(fd);
}

// Moves a committed new database into place, never over a file that appeared meanwhile (a second
// kvimport into the same new path: the first to finish wins, the other says so and removes only
// its own file).
void publish_new_database(TempFile& building, const std::string& db_path) {
  // A temporary file is private (0600); the database gets the mode any new file would.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(building.path().c_str(), 0666 & ~mask);
  fsync_path(building.path(), O_RDONLY);
  if (::renameat2(AT_FDCWD, building.path().c_str(), AT_FDCWD, db_path.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EINVAL || err == ENOSYS) {
      // A file system without RENAME_NOREPLACE: link(2) fails the same way when the name exists.
      if (::link(building.path().c_str(), db_path.c_str()) != 0)
        err = errno;
      else
        err = 0;
    }
    if (err == EEXIST)
      throw std::runtime_error(fmt::format(
          "{} was created by another process while this import ran (two imports into one new database?); this "
          "import was not added to it: run it again to add it",
          db_path));
    if (err != 0) throw std::runtime_error(fmt::format("{}: cannot create: {}", db_path, std::strerror(err)));
    building.remove();  // the link is the database now
  }
  building.release();
  fsync_path(dir_name(db_path), O_RDONLY | O_DIRECTORY);
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path;
  OutputChoice out;
  std::vector<std::string> inputs;
  ImportRequest req;
  po::options_description opts;
  // One option per line, as --help lists them:
  // clang-format off
  opts.add_options()
      ("help,h", "show this help")
      ("db,d", po::value(&db_path)->default_value("kvsnap.db")->value_name("DB"), "database file (created when missing)")
      ("name,n", po::value<std::string>()->value_name("NAME"),
       "snapshot name (default: the input's file name); one input only")
      ("format", po::value<std::string>()->value_name("FORMAT"), "input format instead of detection (see --list-formats)")
      ("prefix", po::value<std::string>()->value_name("PREFIX"),
       "simple dumps: lines starting with this begin a key (default: the first key up to its first '/')")
      ("replace", "replace a snapshot of the same name instead of refusing")
      ("at-revision", po::value<int64_t>()->value_name("REV"), "etcd db files: import the state at this revision (not below the compaction)")
      ("no-history", "etcd db files: do not fill kv_history")
      ("skip-hash-check", "etcd db files: import even when the SHA-256 trailer does not match")
      ("status", "print etcdctl snapshot status numbers (hash, revision, totalKey, totalSize) and the file's shape")
      ("verify", "check an etcd db file's integrity as bbolt check does; exit 1 on a problem")
      ("timings", "add where the import's time went (reading, SQLite, each index, the commit) to the report")
      ("list-formats", "list the input formats and exit")
      ("list-layouts", "list the Cilium key layouts that are decoded and exit");
  // clang-format on
  add_output_options(opts, out, DocumentKind::Report);
  int status = 0;
  auto parsed = parse_command_line(argc, argv, tool_help(), opts, inputs, status);
  if (!parsed) return status;
  const po::variables_map& vm = *parsed;
  try {
    const OutputFormat& format = chosen_format(out, DocumentKind::Report);  // a wrong -o is refused before the work
    // csv and ndjson print one table, the snapshots: the timings would be lost.
    if (vm.count("timings") && (std::string_view(format.name) == "csv" || std::string_view(format.name) == "ndjson"))
      throw UsageError(
          fmt::format("--timings is a section of the report: -o {} prints the snapshots table alone "
                      "(use text, json, markdown or html)",
                      format.name));
    if (vm.count("list-formats")) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& f : input_formats()) rows.push_back({f.name, f.description});
      print_document(rows_document("kvimport", text_section("formats", {"format", "what produces it"}, rows)), out,
                     DocumentKind::Rows);
      return 0;
    }
    if (vm.count("list-layouts")) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& l : key_layouts())
        rows.push_back({l.name, l.pattern, *l.tables ? l.tables : "(validated; kv only)"});
      print_document(rows_document("kvimport", text_section("layouts", {"layout", "key", "tables"}, rows)), out,
                     DocumentKind::Rows);
      return 0;
    }
  } catch (const UsageError& e) {
    print_error("kvimport", e.what());
    return 2;
  }
  if (inputs.empty()) {
    std::cerr << "kvimport: no INPUT given\nTry 'kvimport --help'.\n";
    return 2;
  }
  if (vm.count("name")) {
    if (inputs.size() > 1) {
      std::cerr << "kvimport: -n names one snapshot; give one INPUT per run\n";
      return 2;
    }
    req.name = vm["name"].as<std::string>();
  }
  if (vm.count("format")) {
    req.format = vm["format"].as<std::string>();
    if (!find_format(*req.format)) {
      print_error("kvimport", fmt::format("unknown --format '{}' (see --list-formats)", *req.format));
      return 2;
    }
  }
  if (vm.count("prefix")) req.read.key_prefix = vm["prefix"].as<std::string>();
  if (vm.count("at-revision")) req.read.at_revision = vm["at-revision"].as<int64_t>();
  req.read.skip_hash_check = vm.count("skip-hash-check") > 0;
  req.keep_history = vm.count("no-history") == 0;
  req.start_writeback = true;  // the commit (an existing database) or the rename (a new one) fsyncs it
  if (vm.count("status") || vm.count("verify")) {
    if (inputs.size() != 1) {
      std::cerr << "kvimport: --status and --verify take one FILE\n";
      return 2;
    }
    if (vm.count("timings")) {
      std::cerr << "kvimport: --timings times an import; --status and --verify import nothing\n";
      return 2;
    }
    try {
      auto in = open_input(inputs[0]);
      if (!looks_like_bbolt(in->peek(64)))
        throw InputError(inputs[0], "page 0", "not an etcd db file (no bbolt meta page at the start)");
      DbBytes bytes = load_db_bytes(*in);
      if (vm.count("status")) {
        print_document(db_status_document(inputs[0], etcd_db_status(inputs[0], bytes.bytes)), out,
                       DocumentKind::Report);
        return 0;
      }
      auto problems = etcd_db_verify(inputs[0], bytes.bytes);
      print_document(db_verify_document(inputs[0], problems), out, DocumentKind::Report);
      return problems.empty() ? 0 : 1;
    } catch (const InputError& e) {
      print_error("kvimport", e.describe());
      return 2;
    }
  }
  req.replace = vm.count("replace") > 0;

  // A new database is built in a temporary file next to DB and renamed into place only after it
  // is committed and on disk: an interrupted import (any signal, a power loss) leaves no DB at
  // all, and a failed one removes only its own temporary file. An existing database is changed in
  // one transaction; SQLite's journal undoes an interrupted one.
  ProgressLine progress;
  std::vector<ImportSummary> done;
  std::vector<ImportPhase> run_timings;
  Stopwatch run_clock;
  try {
    struct stat st;
    bool existed = ::stat(db_path.c_str(), &st) == 0;
    TempFile building;
    {
      std::unique_ptr<Db> db;
      if (existed) {
        db = open_kvsnap_db(db_path, Db::Mode::ReadWrite);
        db->exec("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;");
      } else {
        building = TempFile("." + file_name(db_path) + ".kvimport", dir_name(db_path));
        db = std::make_unique<Db>(building.path(), Db::Mode::Create);
        // Nothing needs to be durable until the rename: one fsync then instead of many.
        tune_for_new_import(*db);
      }
      Transaction txn(*db);
      ensure_schema(*db, db_path);
      for (const auto& input : inputs) {
        req.progress = [&](int64_t keys, uint64_t bytes) { progress.update(input, keys, bytes); };
        done.push_back(import_path(*db, input, req));
        progress.clear();
      }
      Stopwatch clock;
      txn.commit();
      db.reset();
      run_timings.push_back({"commit and close the database", clock.wall(), clock.cpu()});
    }
    if (!existed) {
      Stopwatch clock;
      publish_new_database(building, db_path);
      run_timings.push_back({"write the new file to disk (fsync), move it into place", clock.wall(), clock.cpu()});
    }
    run_timings.push_back({"total", run_clock.wall(), run_clock.cpu()});
    print_document(import_report_document(done, db_path, vm.count("timings") ? &run_timings : nullptr), out,
                   DocumentKind::Report);
    return 0;
  } catch (const InputError& e) {
    progress.clear();
    print_error("kvimport", e.describe());
  } catch (const UsageError& e) {
    progress.clear();
    print_error("kvimport", e.what());
  } catch (const DbError& e) {
    // Writing the database failed (a full disk, a file-size limit): name the database.
    progress.clear();
    std::string what = e.what();
    print_error("kvimport", what.find(db_path) == std::string::npos ? db_path + ": " + what : what);
  } catch (const std::exception& e) {
    progress.clear();
    print_error("kvimport", e.what());
  }
  std::cerr << "kvimport: nothing was imported\n";
  return 2;
}
