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
};

struct CheckReport {
  SnapshotInfo snapshot;
  CheckContext context;
  const std::vector<CheckDef>* checks = nullptr;  // the checks selected (rules of SARIF)
  CheckRun run;
  Severity fail_on = Severity::Error;
  bool fail_never = false;
  int exit_status = 0;
};

struct ReportFormat {
  const char* name;
  std::string (*render)(const CheckReport&);
};

const std::vector<ReportFormat>& report_formats();
const ReportFormat* find_report_format(std::string_view name);

SnapshotInfo load_snapshot_info(Db& db, int64_t id);

}  // namespace kvsnap
