#pragma once
// kvimport's reports as Documents (render/document.h): what each import brought in, an etcd db
// file's status (etcdctl snapshot status and more) and its integrity verdict.
#include <string>
#include <vector>

#include "etcd/mvcc.h"
#include "render/document.h"
#include "store/importer.h"

namespace kvsnap {

// With run_timings (kvimport --timings): a section of every snapshot's timings, then the run's
// own (the commit, the move into place).
Document import_report_document(const std::vector<ImportSummary>& snapshots, const std::string& db_path,
                                const std::vector<ImportPhase>* run_timings = nullptr);
Document db_status_document(const std::string& file, const EtcdDbStatus& s);
Document db_verify_document(const std::string& file, const std::vector<std::string>& problems);

// 1536 -> "1.5 kB", as etcdctl prints sizes.
std::string humanize_bytes(uint64_t n);

}  // namespace kvsnap
