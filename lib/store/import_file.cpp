#include "store/import_file.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "etcd/formats.h"
#include "io/input.h"
#include "util/error.h"
#include "util/time.h"

namespace kvsnap {

std::string default_snapshot_name(const std::string& path) {
  if (path == "-") return "stdin";
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

namespace {

// Runs a reader into the importer. When reading fails, a write that failed before it (the
// importer's statements run behind the reader) is the error to report: it came first.
template <typename Read>
void read_into(Importer& imp, Read&& read) {
  try {
    read();
  } catch (...) {
    imp.flush_before_error();
    throw;
  }
}

}  // namespace

ImportSummary import_path(Db& db, const std::string& path, const ImportRequest& req) {
  std::string name = req.name ? *req.name : default_snapshot_name(path);
  if (is_directory(path)) {
    if (req.format && *req.format != "sysdump")
      throw InputError(path, "", fmt::format("is a folder; only --format sysdump reads folders"));
    Importer imp(db, name, path, "sysdump", req.replace);
    imp.set_start_writeback(req.start_writeback);
    if (req.progress) imp.on_progress([&](int64_t keys) { req.progress(keys, 0); });
    read_into(imp, [&] { read_sysdump_dir(path, imp, req.read); });
    return imp.finish();
  }
  auto in = open_input(path);
  const InputFormat* fmt_ = nullptr;
  if (req.format) {
    fmt_ = find_format(*req.format);
    if (!fmt_) throw UsageError(fmt::format("unknown --format '{}' (kvimport --list-formats)", *req.format));
  } else {
    fmt_ = &detect_format(*in, req.read);
  }
  if (req.read.at_revision && std::string_view(fmt_->name) != "etcd-db")
    throw UsageError(fmt::format("{}: --at-revision needs an etcd snapshot file; this is {}", path, fmt_->name));
  Importer imp(db, name, path, fmt_->name, req.replace);
  imp.set_compression(in->compression());
  imp.set_keep_history(req.keep_history);
  imp.set_start_writeback(req.start_writeback);
  Input* raw = in.get();
  if (req.progress) imp.on_progress([&, raw](int64_t keys) { req.progress(keys, raw->offset()); });
  read_into(imp, [&] { fmt_->read(*in, imp, req.read); });
  struct stat st;
  if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
    imp.meta().file_mtime = format_rfc3339(int64_t(st.st_mtime));
  return imp.finish();
}

}  // namespace kvsnap
