// A `cilium sysdump` (.zip, or the folder it unpacks to): its kvstore-*.json files (one per
// prefix, written by `cilium kvstore get cilium/<prefix> --recursive -o json`) become one
// snapshot; the cilium-config ConfigMap, when present, gives the cluster name and id, and the
// sysdump's name its capture time. Input-controlled text is scanned by hand, never with
// std::regex (whose matcher recurses per character: a 30 KB ConfigMap line overflowed the stack).
// A folder is read without following symbolic links out of it.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// A `cluster-name: foo` / `"cluster-name": "foo",` line of the ConfigMap (YAML or JSON): the
// name and the value (without quotes and trailing spaces); false for any other line.
// The shape: spaces, ["]name["], spaces, ':', spaces, ["]value["], spaces, [','], spaces,
// where the value holds no '"' or ','.
bool config_line(std::string_view l, std::string_view& name, std::string_view& value) {
  size_t i = 0, n = l.size();
  auto spaces = [&] {
    while (i < n && is_space(l[i])) ++i;
  };
  auto optional = [&](char c) {
    if (i < n && l[i] == c) ++i;
  };
  spaces();
  optional('"');
  std::string_view rest = l.substr(i);
  if (rest.starts_with("cluster-name"))
    name = "cluster-name";
  else if (rest.starts_with("cluster-id"))
    name = "cluster-id";
  else
    return false;
  i += name.size();
  optional('"');
  spaces();
  if (i >= n || l[i] != ':') return false;
  ++i;
  spaces();
  optional('"');
  size_t v = i;
  while (i < n && l[i] != '"' && l[i] != ',') ++i;
  size_t v_end = i;
  while (v_end > v && is_space(l[v_end - 1])) --v_end;
  value = l.substr(v, v_end - v);
  optional('"');
  spaces();
  optional(',');
  spaces();
  return i == n;
}

// A Kubernetes ConfigMap holds at most 1 MiB.
constexpr uint64_t kMaxConfigLine = uint64_t(16) << 20;

void read_config(Input& in, SnapshotMeta& m) {
  std::string line;
  std::string_view name, value;
  while (in.next_line(line, kMaxConfigLine, ": a ConfigMap holds at most 1 MiB")) {
    if (!config_line(line, name, value)) continue;
    if (name == "cluster-name" && !value.empty()) {
      m.cluster_name = std::string(value);
    } else if (name == "cluster-id") {
      if (auto id = parse_i64(value)) m.cluster_id = *id;
    }
  }
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// cilium-sysdump-20250310-081500 → 2025-03-10T08:15:00, a local date-time without zone (cilium-cli
// names the sysdump by the local clock of the machine that ran it, in a zone nobody recorded):
// the first "cilium-sysdump-" in the path followed by 8 digits, '-', 6 digits.
void captured_from_name(const std::string& path, SnapshotMeta& m) {
  static constexpr std::string_view kPrefix = "cilium-sysdump-";
  if (m.captured_at) return;
  std::string_view p = path;
  for (size_t at = p.find(kPrefix); at != std::string_view::npos; at = p.find(kPrefix, at + 1)) {
    std::string_view t = p.substr(at + kPrefix.size());
    if (t.size() < 15 || !all_digits(t.substr(0, 8)) || t[8] != '-' || !all_digits(t.substr(9, 6))) continue;
    m.captured_at = fmt::format("{}-{}-{}T{}:{}:{}", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2), t.substr(9, 2),
                                t.substr(11, 2), t.substr(13, 2));
    return;
  }
}

// cilium sysdump leaves an empty kvstore-*.json when its `cilium kvstore get` failed: that prefix
// is missing from the snapshot, which the snapshot's warnings say.
void empty_member(const std::string& name, SnapshotMeta& m) {
  m.warnings.push_back(
      fmt::format("{} is empty (the sysdump's kvstore task failed for it): its keys are missing", name));
}

void no_kvstore_files(const std::string& name) {
  throw InputError(name, "",
                   "no kvstore-*.json file in this sysdump (cilium sysdump collects them only when the cilium-config "
                   "ConfigMap has `kvstore: etcd`)");
}

std::string real_path(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (!r) return {};
  std::string out(r);
  std::free(r);
  return out;
}

// The files of a sysdump folder, two levels deep. A symbolic link is followed only when its
// target lies inside the folder; the others are listed in `outside` (link, target).
struct FolderListing {
  std::string root;  // the folder's real path
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> outside;
};

void list_dir(const std::string& dir, int depth, FolderListing& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) throw InputError(dir, "", "cannot open folder");
  std::unique_ptr<DIR, int (*)(DIR*)> close(d, closedir);
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string p = dir + "/" + n;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      std::string target = real_path(p);
      if (target.empty()) continue;  // dangling
      if (target != out.root && !target.starts_with(out.root + "/")) {
        out.outside.emplace_back(p, target);
        continue;
      }
      if (stat(p.c_str(), &st) != 0) continue;
    }
    if (S_ISDIR(st.st_mode) && depth < 2)
      list_dir(p, depth + 1, out);
    else if (S_ISREG(st.st_mode))
      out.files.push_back(p);
  }
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
  FolderListing listing;
  listing.root = real_path(dir);
  if (listing.root.empty()) throw InputError(dir, "", "cannot open folder");
  list_dir(dir, 0, listing);
  // A link out of the folder is never followed: one that would be read is an error (skipping
  // it would import part of the sysdump), any other one a warning.
  std::sort(listing.outside.begin(), listing.outside.end());
  for (const auto& [link, target] : listing.outside) {
    std::string base = basename_of(link);
    if (is_kvstore_member(base) || is_config_member(base))
      throw InputError(link, "",
                       fmt::format("a symbolic link to {}, outside the sysdump folder {}: kvsnap does not follow "
                                   "links out of the folder it reads (copy the file into it instead)",
                                   target, dir));
    struct stat st;
    if (stat(link.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      sink.meta().warnings.push_back(
          fmt::format("{} is a symbolic link to {}, outside the sysdump folder: not followed", link, target));
  }
  std::vector<std::string>& files = listing.files;
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
