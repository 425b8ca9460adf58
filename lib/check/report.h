#pragma once
// kvcheck's report as a Document (render/document.h): what ran on which snapshot, with which
// clock, the counts first, then one section per check (the likely cause and what to do once,
// then its findings), and the checks that were skipped. Every output format renders it.
#include <string>
#include <vector>

#include "check/checks.h"
#include "render/document.h"
#include "store/snapshot_select.h"

namespace kvsnap {

// kvcheck's exit status when the snapshot holds no Cilium key (0 clean, 1 findings, 2 errors).
constexpr int kExitNothingToCheck = 3;

struct CheckReport {
  SnapshotInfo snapshot;
  CheckContext context;
  const std::vector<CheckDef>* checks = nullptr;  // the checks selected
  CheckRun run;
  Severity fail_on = Severity::Error;
  bool fail_never = false;
  int exit_status = 0;
  // The snapshot holds no Cilium key: no check ran, and every format says so instead of "0 errors".
  bool nothing_to_check() const { return snapshot.cilium_keys == 0; }
};

Document check_report_document(const CheckReport& r);
// kvcheck --list-checks: every check with what it means, the likely cause and what to do.
Document check_list_document(const std::vector<CheckDef>& checks);
// "2025-03-10T08:15:00Z (from --now)", "at least ... (a lower bound: ...)", or why there is none.
std::string describe_reference_time(const CheckContext& c);

}  // namespace kvsnap
