// A `cilium sysdump` (.zip, or the folder it unpacks to): its kvstore-*.json files (one per
// prefix, written by `cilium kvstore get cilium/<prefix> --recursive -o json`) become one
// snapshot; the cilium-config ConfigMap, when present, gives the cluster name and id, and the
// sysdump's name its capture time.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <regex>
#include <vector>

#include <fmt/format.h>

#include "etcd/readers.h"
#include "util/codec.h"
#include "util/error.h"

namespace kvsnap {
namespace {

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_kvstore_member(const std::string& base) {
  return base.size() > 13 && base.rfind("kvstore-", 0) == 0 && base.substr(base.size() - 5) == ".json";
}

bool is_config_member(const std::string& base) {
  return base.rfind("cilium-configmap", 0) == 0 || base.rfind("cilium-config-", 0) == 0;
}

// `cluster-name: foo` / `"cluster-name": "foo"` lines of the ConfigMap (YAML or JSON).
void read_config(Input& in, SnapshotMeta& m) {
  static const std::regex kLine(R"re(^\s*"?(cluster-name|cluster-id)"?\s*:\s*"?([^",]*)"?\s*,?\s*$)re");
  std::string line;
  while (in.next_line(line)) {
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) continue;
    std::string value = match[2];
    if (match[1] == "cluster-name" && !value.empty()) {
      m.cluster_name = value;
    } else if (match[1] == "cluster-id") {
      if (auto id = parse_i64(value)) m.cluster_id = *id;
    }
  }
}

// cilium-sysdump-20250310-081500 → 2025-03-10T08:15:00, a local date-time without zone (cilium-cli
// names the sysdump by the local clock of the machine that ran it, in a zone nobody recorded).
void captured_from_name(const std::string& path, SnapshotMeta& m) {
  static const std::regex kName(R"(cilium-sysdump-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2}))");
  std::smatch match;
  if (!m.captured_at && std::regex_search(path, match, kName))
    m.captured_at = fmt::format("{}-{}-{}T{}:{}:{}", match[1].str(), match[2].str(), match[3].str(), match[4].str(),
                                match[5].str(), match[6].str());
}

// cilium sysdump leaves an empty kvstore-*.json when its `cilium kvstore get` failed: that prefix
// is missing from the snapshot, which the snapshot's warnings say.
void empty_member(const std::string& name, SnapshotMeta& m) {
  m.warnings.push_back(fmt::format("{} is empty (the sysdump's kvstore task failed for it): its keys are missing", name));
}

void no_kvstore_files(const std::string& name) {
  throw InputError(name, "",
                   "no kvstore-*.json file in this sysdump (cilium sysdump collects them only when the cilium-config "
                   "ConfigMap has `kvstore: etcd`)");
}

void list_dir(const std::string& dir, int depth, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) throw InputError(dir, "", "cannot open folder");
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string p = dir + "/" + n;
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < 2) list_dir(p, depth + 1, out);
    else if (S_ISREG(st.st_mode)) out.push_back(p);
  }
  closedir(d);
}

}  // namespace

void read_sysdump(Input& in, RecordSink& sink, const ReadOptions& opts) {
  int kvstore_files = 0;
  captured_from_name(in.name(), sink.meta());
  for_each_archive_member(in, [&](const std::string& member, Input& m) {
    std::string base = basename_of(member);
    captured_from_name(member, sink.meta());
    if (is_kvstore_member(base)) {
      ++kvstore_files;
      if (m.at_end()) {
        empty_member(member, sink.meta());
        return true;
      }
      read_cilium_json(m, sink, opts);
    } else if (is_config_member(base)) {
      read_config(m, sink.meta());
    }
    return true;
  });
  if (kvstore_files == 0) no_kvstore_files(in.name());
}

void read_sysdump_dir(const std::string& dir, RecordSink& sink, const ReadOptions& opts) {
  std::vector<std::string> files;
  list_dir(dir, 0, files);
  std::sort(files.begin(), files.end());
  int kvstore_files = 0;
  captured_from_name(dir, sink.meta());
  for (const auto& f : files) {
    std::string base = basename_of(f);
    if (is_kvstore_member(base)) {
      ++kvstore_files;
      auto in = open_input(f);
      if (in->at_end()) {
        empty_member(f, sink.meta());
        continue;
      }
      read_cilium_json(*in, sink, opts);
    } else if (is_config_member(base)) {
      auto in = open_input(f);
      read_config(*in, sink.meta());
    }
  }
  if (kvstore_files == 0) no_kvstore_files(dir);
}

}  // namespace kvsnap
