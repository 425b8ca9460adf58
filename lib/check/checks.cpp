#include "check/checks.h"

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "store/embedded.h"
#include "store/sql_functions.h"
#include "util/error.h"
#include "util/sql_header.h"
#include "util/text.h"
#include "util/time.h"

namespace kvsnap {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    default: return "info";
  }
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "error") return Severity::Error;
  if (s == "warning") return Severity::Warning;
  if (s == "info") return Severity::Info;
  return std::nullopt;
}

namespace {

// The header of a check file (util/sql_header.h).
constexpr SqlHeaderField kCheckHeader[] = {
    {"id", true},
    {"severity"},
    {"title", true, false, true},
    {"meaning", false, false, true},
    {"cause", false, false, true},
    {"action", false, false, true},
    {"requires", false, true},  // space-separated: now, leases, lease-info, baseline
};

}  // namespace

CheckDef parse_check(const std::string& origin, std::string_view text) {
  SqlFile f = parse_sql_file(origin, text, kCheckHeader);
  CheckDef c;
  c.origin = origin;
  c.id = f.value("id");
  c.title = f.value("title");
  c.meaning = f.value("meaning");
  c.cause = f.value("cause");
  c.action = f.value("action");
  if (const SqlHeaderValue* s = f.find("severity")) {
    auto severity = parse_severity(s->value);
    if (!severity)
      throw InputError(origin, fmt::format("line {}", s->line),
                       fmt::format("severity '{}' is not error, warning or info", s->value));
    c.severity = *severity;
  }
  for (const SqlHeaderValue* r : f.all("requires")) {
    std::istringstream is(r->value);
    for (std::string req; is >> req;) {
      if (req != "now" && req != "leases" && req != "lease-info" && req != "baseline")
        throw InputError(origin, fmt::format("line {}", r->line),
                         fmt::format("unknown requirement '{}' (now, leases, lease-info, baseline)", req));
      c.requires_.push_back(req);
    }
  }
  c.sql = std::move(f.body);
  return c;
}

std::vector<CheckDef> builtin_checks() {
  std::vector<CheckDef> out;
  for (const EmbeddedFile* f = embedded_files(); f->path; ++f) {
    std::string_view p = f->path;
    if (p.rfind("checks/", 0) == 0 && p.size() > 11 && p.substr(p.size() - 4) == ".sql")
      out.push_back(parse_check(std::string("built-in ") + f->path, std::string_view(f->data, f->size)));
  }
  std::sort(out.begin(), out.end(), [](const CheckDef& a, const CheckDef& b) { return a.id < b.id; });
  return out;
}

std::vector<CheckDef> load_checks_dir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) throw InputError(dir, "", "cannot open the checks folder");
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 4 && n.substr(n.size() - 4) == ".sql") files.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  std::vector<CheckDef> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(parse_check(f, ss.str()));
  }
  return out;
}

namespace {

std::optional<std::string> query_text(Db& db, const std::string& sql, int64_t snapshot, const std::string& p2 = "") {
  Stmt s = db.prepare(sql);
  s.bind(1, snapshot);
  if (sqlite3_bind_parameter_count(s.get()) >= 2) s.bind_text(2, p2);
  if (s.step() && !s.is_null(0)) return s.text(0);
  return std::nullopt;
}

// The reference time, and where it came from in words (see make_context).
void set_reference_time(Db& db, CheckContext& c, const ContextOverrides& o) {
  int64_t sid = c.snapshot_id;
  if (o.now) {
    c.now = o.now;
    c.now_source = "--now";
    return;
  }
  std::string source = query_text(db, "SELECT source FROM snapshot WHERE id = ?", sid).value_or("the input");
  if (o.now_from_file_mtime) {
    auto mtime = query_text(db, "SELECT file_mtime FROM snapshot WHERE id = ?", sid);
    if (!mtime)
      throw UsageError(
          fmt::format("--now file-mtime: snapshot {} was not read from a file (standard input or a "
                      "folder): pass --now TIME",
                      c.snapshot_name));
    c.now = parse_rfc3339(*mtime);
    c.now_source = fmt::format(
        "the file modification time of {} (--now file-mtime), which changes when the file "
        "is copied",
        source);
    return;
  }
  // What the input states: a sysdump's name is the local time of the machine that ran cilium
  // sysdump, in a zone nobody recorded (UTC-12 to UTC+14): the capture was at least 14 hours
  // before that time read as UTC.
  std::optional<int64_t> stated;
  bool stated_exact = false;
  std::string stated_words;
  if (auto cap = query_text(db, "SELECT captured_at FROM snapshot WHERE id = ?", sid)) {
    if (auto exact = parse_rfc3339(*cap)) {
      stated = exact;
      stated_exact = true;
      stated_words = fmt::format("the capture time the input states ({})", *cap);
    } else if (auto local = parse_rfc3339(*cap + "Z")) {
      stated = *local - 14 * 3600;
      stated_words = fmt::format(
          "the sysdump's name ({} in the unknown time zone of the machine that ran it, so no "
          "earlier than {})",
          *cap, format_rfc3339(*stated));
    }
  }
  if (stated_exact) {
    c.now = stated;
    c.now_source = stated_words;
    return;
  }
  // The newest time the data holds: the capture came no earlier.
  std::optional<int64_t> data_time;
  std::string data_key;
  Stmt newest = db.prepare(
      "SELECT t.unix_time, CAST(k.key AS TEXT) FROM (SELECT unix_time, kv_id FROM heartbeat WHERE snapshot_id = ?1 "
      "UNION ALL SELECT unix_time, kv_id FROM sync_marker WHERE snapshot_id = ?1) t JOIN kv k ON k.id = t.kv_id "
      "WHERE t.unix_time IS NOT NULL ORDER BY t.unix_time DESC LIMIT 1");
  newest.bind(1, sid);
  if (newest.step()) {
    data_time = newest.int64(0);
    data_key = newest.text(1);
  }
  if (!stated && !data_time) {
    c.now_source =
        "none: the input states no capture time and its data holds none (no heartbeat, no sync canary); age checks "
        "are skipped (pass --now TIME, or --now file-mtime to trust the file's modification time)";
    return;
  }
  c.now_is_lower_bound = true;
  bool data_wins = data_time && (!stated || *data_time >= *stated);
  c.now = data_wins ? *data_time : *stated;
  std::string why = data_wins ? fmt::format("the newest time the data holds ({})", data_key) : stated_words;
  if (data_wins && stated) why += fmt::format("; {} says less", stated_words);
  c.now_source = fmt::format(
      "a lower bound: {}. The capture was no earlier, so ages are at least what is shown; "
      "pass --now for exact ones",
      why);
}

}  // namespace

CheckContext make_context(Db& db, int64_t snapshot_id, const ContextOverrides& o) {
  CheckContext c;
  c.snapshot_id = snapshot_id;
  c.max_clusters = o.max_clusters;
  c.snapshot_name = query_text(db, "SELECT name FROM snapshot WHERE id = ?", snapshot_id).value_or("?");

  if (o.cluster_name) {
    c.cluster_name = *o.cluster_name;
    c.cluster_name_source = "--cluster-name";
  } else if (auto n = query_text(db, "SELECT cluster_name FROM snapshot WHERE id = ?", snapshot_id)) {
    c.cluster_name = *n;
    c.cluster_name_source = "the input (cilium-config)";
  } else if (auto n2 = query_text(db,
                                  "SELECT key_cluster FROM node WHERE snapshot_id = ? AND scope = 'state' "
                                  "GROUP BY key_cluster ORDER BY count(*) DESC, key_cluster LIMIT 1",
                                  snapshot_id)) {
    c.cluster_name = *n2;
    c.cluster_name_source = "the node keys";
  } else if (auto n3 = query_text(db,
                                  "SELECT cluster_label FROM identity WHERE snapshot_id = ? AND scope = 'state' "
                                  "AND cluster_label IS NOT NULL GROUP BY cluster_label "
                                  "ORDER BY count(*) DESC, cluster_label LIMIT 1",
                                  snapshot_id)) {
    c.cluster_name = *n3;
    c.cluster_name_source = "the identity labels";
  } else {
    c.cluster_name = "default";
    c.cluster_name_source = "Cilium's default (nothing in the snapshot names it)";
  }

  if (o.cluster_id) {
    c.cluster_id = *o.cluster_id;
    c.cluster_id_source = "--cluster-id";
  } else if (auto id = query_text(db, "SELECT cluster_id FROM snapshot WHERE id = ?", snapshot_id)) {
    c.cluster_id = std::stoll(*id);
    c.cluster_id_source = "the input (cilium-config)";
  } else if (auto id2 =
                 query_text(db, "SELECT id FROM cluster_config WHERE snapshot_id = ? AND cluster = ? AND cached = 0",
                            snapshot_id, c.cluster_name)) {
    c.cluster_id = std::stoll(*id2);
    c.cluster_id_source = fmt::format("cilium/cluster-config/{}", c.cluster_name);
  } else if (auto id3 = query_text(db,
                                   "SELECT cluster_id FROM node WHERE snapshot_id = ? AND scope = 'state' AND "
                                   "key_cluster = ? AND cluster_id IS NOT NULL GROUP BY cluster_id "
                                   "ORDER BY count(*) DESC LIMIT 1",
                                   snapshot_id, c.cluster_name)) {
    c.cluster_id = std::stoll(*id3);
    c.cluster_id_source = "the node entries";
  } else {
    c.cluster_id = 0;
    c.cluster_id_source = "Cilium's default (nothing in the snapshot names it)";
  }
  if (auto mc = query_text(db,
                           "SELECT max_connected_clusters FROM cluster_config WHERE snapshot_id = ? AND cluster = ? "
                           "AND max_connected_clusters IS NOT NULL",
                           snapshot_id, c.cluster_name);
      mc && o.max_clusters == 255)
    c.max_clusters = std::stoi(*mc) == 511 ? 511 : 255;

  set_reference_time(db, c, o);
  c.has_leases = query_text(db, "SELECT trailer FROM snapshot WHERE id = ?", snapshot_id).has_value();
  c.has_lease_info =
      query_text(db, "SELECT 1 FROM kv INDEXED BY kv_key_hash WHERE snapshot_id = ? AND lease IS NOT NULL LIMIT 1",
                 snapshot_id)
          .has_value();  // by the index: a key of the snapshot, not a scan past the snapshots before it
  return c;
}

namespace {

void bind_params(Stmt& s, const CheckContext& c) {
  sqlite3_stmt* st = s.get();
  for (int i = 1; i <= sqlite3_bind_parameter_count(st); ++i) {
    const char* n = sqlite3_bind_parameter_name(st, i);
    std::string_view name = n ? n + 1 : "";
    if (name == "snapshot")
      s.bind(i, c.snapshot_id);
    else if (name == "cluster_name")
      s.bind_text(i, c.cluster_name);
    else if (name == "cluster_id")
      s.bind(i, c.cluster_id);
    else if (name == "shift")
      s.bind(i, int64_t(c.shift()));
    else if (name == "max_clusters")
      s.bind(i, int64_t(c.max_clusters));
    else if (name == "id_min")
      s.bind(i, c.id_min());
    else if (name == "id_max")
      s.bind(i, c.id_max());
    else if (name == "now")
      s.bind(i, c.now);
    else if (name == "now_is_lower_bound")
      s.bind(i, int64_t(c.now_is_lower_bound));
    else if (name == "baseline")
      s.bind(i, c.baseline ? std::optional<int64_t>(c.baseline->snapshot_id) : std::nullopt);
    else if (name == "baseline_now")
      s.bind(i, c.baseline ? c.baseline->now : std::nullopt);
    else
      throw DbError(
          fmt::format("unknown parameter :{} (known: :snapshot, :cluster_name, :cluster_id, :shift, "
                      ":max_clusters, :id_min, :id_max, :now, :now_is_lower_bound, :baseline, :baseline_now)",
                      name));
  }
}

int column_index(Stmt& s, const char* name) {
  for (int i = 0; i < sqlite3_column_count(s.get()); ++i)
    if (std::string_view(sqlite3_column_name(s.get(), i)) == name) return i;
  return -1;
}

}  // namespace

namespace {

// Runs one check on one connection; nullopt with `why` set when its requirements are not met.
std::optional<std::vector<Finding>> run_one(Db& db, const CheckDef& c, const CheckContext& ctx, std::string& why) {
  for (const auto& r : c.requires_) {
    if (r == "now" && !ctx.now)
      why = "no reference time: the input states no capture time and its data holds none; pass --now";
    if (r == "leases" && !ctx.has_leases) why = "needs the lease table, which only etcd snapshot files carry";
    if (r == "lease-info" && !ctx.has_lease_info) why = "the input does not say which keys have leases";
    if (r == "baseline" && !ctx.baseline) why = "compares with an earlier snapshot: give one with --baseline OLD";
  }
  if (!why.empty()) return std::nullopt;
  Stmt s;
  try {
    s = db.prepare(c.sql);
    bind_params(s, ctx);
  } catch (const DbError& e) {
    throw InputError(c.origin, "", fmt::format("check {}: {}", c.id, e.what()));
  }
  int msg = column_index(s, "message"), keys = column_index(s, "keys"), details = column_index(s, "details"),
      sev = column_index(s, "severity");
  if (msg < 0) throw InputError(c.origin, "", fmt::format("check {}: the query has no 'message' column", c.id));
  std::vector<Finding> out;
  while (s.step()) {
    Finding f;
    f.check = c.id;
    f.severity = c.severity;
    if (sev >= 0 && !s.is_null(sev))
      if (auto o = parse_severity(s.text(sev))) f.severity = *o;
    f.message = s.text(msg);
    if (keys >= 0 && !s.is_null(keys)) {
      boost::system::error_code ec;
      auto v = boost::json::parse(s.text(keys), ec);
      if (!ec && v.is_array())
        for (const auto& k : v.as_array())
          if (k.is_string()) f.keys.emplace_back(k.as_string());
      std::sort(f.keys.begin(), f.keys.end());
    }
    f.details = (details >= 0 && !s.is_null(details)) ? s.text(details) : "{}";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

bool check_jobs_use_readers(const std::vector<CheckJob>& jobs, int threads) {
  size_t tasks = 0;
  for (const auto& job : jobs) tasks += job.checks->size();
  bool parallel = threads > 1 && tasks > 1;
  for (const auto& job : jobs) parallel = parallel && job.db->path() != ":memory:" && !job.db->path().empty();
  return parallel;
}

std::vector<CheckRun> run_check_jobs(const std::vector<CheckJob>& jobs, int threads) {
  // One task per (job, check), job by job: a pool of connections works through all of them, so
  // that one job's last, long check runs beside the next job's first ones.
  std::vector<std::pair<size_t, size_t>> tasks;
  for (size_t j = 0; j < jobs.size(); ++j)
    for (size_t i = 0; i < jobs[j].checks->size(); ++i) tasks.emplace_back(j, i);
  std::vector<std::vector<std::optional<std::vector<Finding>>>> results(jobs.size());
  std::vector<std::vector<std::string>> why(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) {
    results[j].resize(jobs[j].checks->size());
    why[j].resize(jobs[j].checks->size());
  }
  auto run_task = [&](Db& conn, size_t task) {
    auto [j, i] = tasks[task];
    results[j][i] = run_one(conn, (*jobs[j].checks)[i], jobs[j].ctx, why[j][i]);
  };
  // Checks only read: with database files, several connections run them side by side (an
  // in-memory database has a single connection).
  bool parallel = check_jobs_use_readers(jobs, threads);
  if (!parallel) {
    for (size_t task = 0; task < tasks.size(); ++task) {
      const CheckJob& job = jobs[tasks[task].first];
      if (task == 0 || tasks[task - 1].first != tasks[task].first) register_sql_functions(*job.db, job.ctx.snapshot_id);
      run_task(*job.db, task);
    }
  } else {
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<std::thread> pool;
    for (const auto& job : jobs) job.db->open_readers(size_t(threads));  // here: opening them changes db
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        try {
          const CheckJob* registered = nullptr;  // whose snapshot this thread's connection has
          for (size_t task = next++; task < tasks.size(); task = next++) {
            const CheckJob& job = jobs[tasks[task].first];
            Db& conn = job.db->reader(size_t(t));
            if (registered != &job) register_sql_functions(conn, job.ctx.snapshot_id);
            registered = &job;
            run_task(conn, task);
          }
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
          next = tasks.size();
        }
      });
    }
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
  }
  std::vector<CheckRun> out(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) {
    CheckRun& run = out[j];
    for (size_t i = 0; i < results[j].size(); ++i) {
      if (!results[j][i]) {
        run.skipped.emplace_back((*jobs[j].checks)[i].id, why[j][i]);
        continue;
      }
      ++run.checks_run;
      for (auto& f : *results[j][i]) run.findings.push_back(std::move(f));
    }
    std::stable_sort(run.findings.begin(), run.findings.end(), [](const Finding& a, const Finding& b) {
      if (a.severity != b.severity) return a.severity > b.severity;
      if (a.check != b.check) return a.check < b.check;
      std::string ka = a.keys.empty() ? "" : a.keys.front(), kb = b.keys.empty() ? "" : b.keys.front();
      if (ka != kb) return ka < kb;
      return a.message < b.message;
    });
  }
  return out;
}

CheckRun run_checks(Db& db, const std::vector<CheckDef>& checks, const CheckContext& ctx, int threads) {
  return std::move(run_check_jobs({CheckJob{&db, &checks, ctx}}, threads).front());
}

void save_findings(Db& db, int64_t snapshot_id, const CheckRun& run) {
  db.prepare("DELETE FROM finding WHERE snapshot_id = ?").bind(1, snapshot_id).run();
  Stmt s = db.prepare(
      "INSERT INTO finding(snapshot_id, check_id, severity, message, keys, details) VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& f : run.findings) {
    boost::json::array keys;
    for (const auto& k : f.keys) keys.emplace_back(k);
    s.bind(1, snapshot_id).bind_text(2, f.check).bind_text(3, severity_name(f.severity)).bind_text(4, f.message);
    s.bind_text(5, boost::json::serialize(keys)).bind_text(6, f.details).run();
  }
}

}  // namespace kvsnap
