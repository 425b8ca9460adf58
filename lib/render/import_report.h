#pragma once
// How kvimport reports what it did, as text for a terminal or one JSON object for CI.
#include <string>
#include <vector>

#include "store/importer.h"

namespace kvsnap {

std::string render_import_text(const std::vector<ImportSummary>& snapshots, const std::string& db_path);
// {"snapshots":[{"id","name","format","keys","revision","counts":{...},"decode_errors",...}]}
std::string render_import_json(const std::vector<ImportSummary>& snapshots, const std::string& db_path);

}  // namespace kvsnap
