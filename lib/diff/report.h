#pragma once
// kvdiff's report as a Document (render/document.h): the two snapshots, the counts per entity
// and change kind, each change with the fields that differ, and the kvcheck findings that are
// new and resolved. Every output format renders it.
#include "diff/diff.h"
#include "render/document.h"
#include "store/snapshot_select.h"

namespace kvsnap {

struct DiffReport {
  SnapshotInfo old_s, new_s;
  DiffResult diff;
  FindingDiff findings;
  bool summary_only = false;
  bool include_metadata = false;
};

// Consumes the report's changes (moved into the document, to hold one copy of them).
Document diff_report_document(DiffReport&& r);

}  // namespace kvsnap
