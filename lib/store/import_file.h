#pragma once
// Imports one input path (file, "-", archive or sysdump folder) as one snapshot: opens it,
// detects or takes its format, runs its reader into an Importer. Shared by every tool that
// accepts an input file in place of a database.
#include <functional>
#include <optional>
#include <string>

#include "etcd/readers.h"
#include "store/db.h"
#include "store/importer.h"

namespace kvsnap {

struct ImportRequest {
  std::optional<std::string> name;    // default: the input's file name
  std::optional<std::string> format;  // default: detected from the content
  ReadOptions read;
  bool replace = false;
  bool keep_history = true;  // etcd db files: fill kv_history
  // The database will be fsynced (kvimport): its pages start going to disk when the rows are in.
  bool start_writeback = false;
  // Called now and then with (keys so far, input bytes consumed so far).
  std::function<void(int64_t, uint64_t)> progress;
};

ImportSummary import_path(Db& db, const std::string& path, const ImportRequest& req);

// The snapshot name a path gets by default.
std::string default_snapshot_name(const std::string& path);

}  // namespace kvsnap
