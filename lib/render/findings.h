#pragma once
// kvcheck's reports: one renderer per output format, in a table.
#include <string>
#include <vector>

#include "check/checks.h"

namespace kvsnap {

struct SnapshotInfo {
  int64_t id = 0;
  std::string name, source, format;
  std::optional<int64_t> revision;
  int64_t keys = 0;
  int64_t cilium_keys = 0;  // keys under cilium/: none means there is nothing to check
};

struct CheckReport {
  SnapshotInfo snapshot;
  CheckContext context;
  const std::vector<CheckDef>* checks = nullptr;  // the checks selected (rules of SARIF)
  CheckRun run;
  Severity fail_on = Severity::Error;
  bool fail_never = false;
  int exit_status = 0;
  // The snapshot holds no Cilium key: no check ran, and every format says so instead of "0 errors".
  bool nothing_to_check() const { return snapshot.cilium_keys == 0; }
};

// kvcheck's exit status when the snapshot holds no Cilium key (0 clean, 1 findings, 2 errors).
constexpr int kExitNothingToCheck = 3;
// The line every kvcheck report carries in that case.
std::string nothing_to_check_line(const SnapshotInfo& s);

struct ReportFormat {
  const char* name;
  std::string (*render)(const CheckReport&);
};

const std::vector<ReportFormat>& report_formats();
const ReportFormat* find_report_format(std::string_view name);

SnapshotInfo load_snapshot_info(Db& db, int64_t id);

}  // namespace kvsnap
