#pragma once
// Checks are SQL files (schema/checks/*.sql, compiled in; --checks-dir adds more) with a header
// of "-- name: value" lines. Each SELECT returns one row per finding with the columns
//   message (text), keys (JSON array of the etcd keys involved), details (JSON object),
//   and optionally severity (to override the check's own for one finding).
// Parameters: :snapshot, :cluster_name, :cluster_id, :shift, :max_clusters, :id_min, :id_max, :now,
// :now_is_lower_bound (1 when :now is only known to be no later than the capture: ages are "at least").
// Checks that compare with an earlier snapshot (`requires: baseline`, kvcheck --baseline OLD and
// kvdiff) read it through the attached schema `old` (old.kv, old.identity, ...) with :baseline
// its snapshot id and :baseline_now its reference time (NULL when unknown).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.h"

namespace kvsnap {

enum class Severity { Info = 0, Warning = 1, Error = 2 };
const char* severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

struct CheckDef {
  std::string id, title, meaning, cause, action;
  Severity severity = Severity::Warning;
  std::vector<std::string> requires_;  // "now", "leases", "lease-info", "baseline"
  std::string sql;
  std::string origin;  // "built-in" or the file it came from
};

// Parses one check file; throws InputError naming the file and line when the header is wrong.
CheckDef parse_check(const std::string& origin, std::string_view text);
std::vector<CheckDef> builtin_checks();
std::vector<CheckDef> load_checks_dir(const std::string& dir);

struct Finding {
  std::string check;
  Severity severity = Severity::Warning;
  std::string message;
  std::vector<std::string> keys;
  std::string details;  // JSON object text ("{}" when none)
};

// Where the local cluster's name and id came from, and the time heartbeat ages are taken from.
struct CheckContext {
  int64_t snapshot_id = 0;
  std::string snapshot_name;
  std::string cluster_name, cluster_name_source;
  int64_t cluster_id = 0;
  std::string cluster_id_source;
  int max_clusters = 255;
  // The reference time of age checks. A time the input states is exact; without one, the newest
  // time the data holds is a lower bound (the capture came later), and ages are "at least".
  std::optional<int64_t> now;
  bool now_is_lower_bound = false;
  std::string now_source;       // where the time came from, in words a user understands, or why there is none
  bool has_leases = false;      // the snapshot has a lease table (etcd db files)
  bool has_lease_info = false;  // kv.lease is known (not NULL)
  // An earlier snapshot to compare with, in the attached schema `old` of every connection.
  struct Baseline {
    int64_t snapshot_id = 0;
    std::string name;
    std::optional<int64_t> now;
  };
  std::optional<Baseline> baseline;

  int shift() const { return max_clusters == 511 ? 15 : 16; }
  int64_t id_min() const { return cluster_id == 0 ? 256 : cluster_id << shift(); }
  int64_t id_max() const { return ((cluster_id + 1) << shift()) - 1; }
};

struct ContextOverrides {
  std::optional<std::string> cluster_name;
  std::optional<int64_t> cluster_id;
  int max_clusters = 255;
  std::optional<int64_t> now;
  bool now_from_file_mtime = false;  // --now file-mtime
};

// Fills the context from the snapshot: cluster name and id from the options, else the input
// (sysdump config map), the cluster-config key, the node entries. The reference time: --now; else
// the newest of what the input states (a sysdump's name, whose zone is unknown: at least 14 hours
// before it) and the newest time its data holds (heartbeat, sync canaries), as a lower bound; a
// file's modification time only with --now file-mtime. Throws UsageError for --now file-mtime on
// a snapshot read from no file.
CheckContext make_context(Db& db, int64_t snapshot_id, const ContextOverrides& o);

struct CheckRun {
  std::vector<Finding> findings;  // stable order: severity (highest first), check, first key, message
  std::vector<std::pair<std::string, std::string>> skipped;  // check id, why
  int checks_run = 0;
};

// `threads` > 1 runs checks on that many read-only connections of db's file at once.
CheckRun run_checks(Db& db, const std::vector<CheckDef>& checks, const CheckContext& ctx, int threads = 1);

// Checks of several snapshots (of one database or several) in one pool of `threads` connections
// per database: one CheckRun per job, in order.
struct CheckJob {
  Db* db;
  const std::vector<CheckDef>* checks;
  CheckContext ctx;
};
std::vector<CheckRun> run_check_jobs(const std::vector<CheckJob>& jobs, int threads);
// Whether run_check_jobs runs them on the databases' read-only connections (several threads,
// several checks, database files), leaving the main connections to the caller; else it runs
// them one by one on the main connections.
bool check_jobs_use_readers(const std::vector<CheckJob>& jobs, int threads);

// Stores findings in the finding table (replacing the snapshot's earlier ones).
void save_findings(Db& db, int64_t snapshot_id, const CheckRun& run);

}  // namespace kvsnap
