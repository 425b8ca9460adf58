#pragma once
// kvdiff's reports: text, json, markdown.
#include <string>
#include <vector>

#include "diff/diff.h"
#include "render/findings.h"

namespace kvsnap {

struct DiffReport {
  SnapshotInfo old_s, new_s;
  DiffResult diff;
  FindingDiff findings;
  bool summary_only = false;
  bool include_metadata = false;
};

struct DiffFormat {
  const char* name;
  std::string (*render)(const DiffReport&);
};

const std::vector<DiffFormat>& diff_formats();
const DiffFormat* find_diff_format(std::string_view name);

}  // namespace kvsnap
