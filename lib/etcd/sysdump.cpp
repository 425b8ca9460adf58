// A `cilium sysdump` (.zip, or the folder it unpacks to): its kvstore-*.json files (one per
// prefix, written by `cilium kvstore get cilium/<prefix> --recursive -o json`) become one
// snapshot; the cilium-config ConfigMap, when present, gives the cluster name and id, and the
// sysdump's name its capture time. A kvstore file whose command failed (empty, only log lines, or
// an error message) is left out with a warning, and a warning names the files cilium-cli did not
// write after it; the sysdump is refused when no kvstore file holds data.
// Input-controlled text is scanned by hand, never with std::regex (whose matcher recurses per
// character: a 30 KB ConfigMap line overflowed the stack). A folder is read without following
// symbolic links out of it.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "etcd/formats.h"
#include "etcd/readers.h"
#include "util/codec.h"
#include "util/error.h"
#include "util/text.h"

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

// A log line of cilium: `level=info msg=...` (logrus), `time=... level=info msg=...` (logrus and
// slog with timestamps).
bool is_log_line(std::string_view l) {
  if (l.starts_with("level=")) return true;
  if (!l.starts_with("time=")) return false;
  auto level = l.find(" level=");
  return level != std::string_view::npos && level < 64;
}

// At most this much of a member is looked at as log lines or an error message: cilium's log
// lines and error messages are short, a dump is not.
constexpr size_t kMaxFailedOutput = 64 * 1024;

// A line of the input for a message: at most 160 bytes (cut at a character), control bytes and
// bytes that are not UTF-8 escaped.
std::string quoted(std::string_view line) {
  constexpr size_t kMax = 160;
  std::string_view cut = line.substr(0, kMax);
  if (cut.size() < line.size())
    while (!cut.empty() && (static_cast<unsigned char>(line[cut.size()]) & 0xC0) == 0x80) cut.remove_suffix(1);
  return fmt::format("\"{}{}\"", terminal_safe(cut), cut.size() < line.size() ? "..." : "");
}

std::string_view line_at(std::string_view text, size_t at) {
  auto nl = text.find('\n', at);
  return text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
}

// Why a kvstore-*.json member holds no data: what it holds, and the line that shows it.
struct FailedMember {
  std::string what;  // "is empty", "holds only 2 log lines ..."
  std::string line;  // "its last line: \"...\"" or ""
};

// When a kvstore-*.json member is the output of a failed `cilium kvstore get`, what it holds;
// else nothing, with the input moved past the log lines that may precede a dump.
//
// cilium-cli (v0.16.24 and later: cilium-cli/sysdump/sysdump.go, submitKVStoreTasks) creates the
// file, streams the command's standard output into it and keeps its standard error for its own
// log (cilium-sysdump.log); earlier versions wrote the file only when the command succeeded. So a
// failed command leaves what it printed on standard output before failing: nothing with Cilium up
// to 1.17, the kvstore client's log lines with Cilium 1.18 and later, whose cilium-dbg logs to
// standard output (pkg/logging, initializeSlog) - the same lines precede the dump when it
// succeeds. An error message ("Error: ...", formats.h error_output) is recognised too, for a
// member written with the error output. Anything else is read as a dump, so that a dump cut short
// or damaged is an error, never a member left out.
std::optional<FailedMember> failed_output(Input& in) {
  std::string_view head = in.peek(kMaxFailedOutput + 1);
  if (head.empty()) return FailedMember{"is empty", ""};
  const bool whole = head.size() <= kMaxFailedOutput;  // else: too long for a failed command's output
  size_t logs = 0, at = 0;
  std::string_view last_log;
  while (at < head.size()) {
    auto nl = head.find('\n', at);
    if (nl == std::string_view::npos && !whole) break;  // a line the window may cut
    std::string_view l = line_at(head, at);
    if (!is_log_line(l)) break;
    ++logs;
    last_log = l;
    at = nl == std::string_view::npos ? head.size() : nl + 1;
  }
  auto plural = [](size_t n) { return n == 1 ? "" : "s"; };
  if (logs && whole && head.find_first_not_of(" \t\r\n", at) == std::string_view::npos)
    return FailedMember{fmt::format("holds only {} log line{} of `cilium kvstore get`, no data", logs, plural(logs)),
                        fmt::format("its last line: {}", quoted(last_log))};
  std::string_view first = line_at(head, at);
  const char* kind = whole ? error_output(first) : nullptr;
  // An error message: no line after it may look like the start of a dump.
  for (size_t nl = head.find('\n', at); kind && nl != std::string_view::npos; nl = head.find('\n', nl + 1)) {
    std::string_view next = trim_view(line_at(head, nl + 1));
    if (next.starts_with("{") || next.starts_with("\"") || next.starts_with("null")) kind = nullptr;
  }
  if (!kind) {
    in.consume(at);  // the log lines before a dump
    return std::nullopt;
  }
  std::string_view w = kind;
  if (w.ends_with(", not a dump")) w.remove_suffix(std::string_view(", not a dump").size());
  return FailedMember{fmt::format("holds {} instead of data{}", w,
                                  logs ? fmt::format(" (after {} log line{})", logs, plural(logs)) : ""),
                      fmt::format("its first line: {}", quoted(first))};
}

// The kvstore-*.json members of one sysdump: read, or left out with why.
struct KvstoreMembers {
  int read = 0;
  std::vector<std::string> failed;  // "<member> is empty", ...
  std::vector<std::string> names;   // the file names seen
};

// The files cilium-cli writes, in the order it runs their commands (submitKVStoreTasks; the
// same six since kvstore data entered the sysdump, cilium-cli v0.12.1).
constexpr std::string_view kKvstoreFiles[] = {"kvstore-identities.json", "kvstore-ips.json",
                                              "kvstore-nodes.json",      "kvstore-cnpstatuses.json",
                                              "kvstore-heartbeat.json",  "kvstore-services.json"};

// Reads one kvstore-*.json member into the sink, or leaves it out with a warning when its
// command failed: that prefix is then missing from the snapshot, which the warning says.
void read_kvstore_member(Input& in, const std::string& name, RecordSink& sink, const ReadOptions& opts,
                         KvstoreMembers& members) {
  members.names.push_back(basename_of(name));
  auto failed = failed_output(in);
  if (!failed) {
    read_cilium_json(in, sink, opts);
    ++members.read;
    return;
  }
  const auto& [what, line] = *failed;
  sink.meta().warnings.push_back(
      fmt::format("{} {} (the sysdump's kvstore task failed for it): its keys are missing{}{}", name, what,
                  line.empty() ? "" : "; ", line));
  members.failed.push_back(
      fmt::format("{} {}{}{}", name, what, line.empty() ? "" : " (", line.empty() ? "" : line + ")"));
}

void check_members(const std::string& name, const KvstoreMembers& members, SnapshotMeta& meta) {
  if (members.read == 0 && members.failed.empty())
    throw InputError(name, "",
                     "no kvstore-*.json file in this sysdump (cilium sysdump collects them only when the "
                     "cilium-config ConfigMap has `kvstore: etcd`)");
  if (members.read == 0) {
    std::string each;
    for (const auto& f : members.failed) each += fmt::format("{}{}", each.empty() ? "" : "; ", f);
    size_t n = members.failed.size();
    throw InputError(
        name, "",
        fmt::format("no kvstore data in this sysdump: `cilium kvstore get` failed for {}: {}",
                    n == 1 ? "its kvstore-*.json file" : fmt::format("each of its {} kvstore-*.json files", n), each));
  }
  // cilium-cli stops at the first command that fails: the files after it are not written.
  std::string missing;
  size_t n = 0;
  for (auto f : kKvstoreFiles)
    if (std::find(members.names.begin(), members.names.end(), f) == members.names.end()) {
      missing += fmt::format("{}{}", missing.empty() ? "" : ", ", f);
      ++n;
    }
  if (n)
    meta.warnings.push_back(
        fmt::format("{} has no {} (cilium sysdump writes one kvstore-*.json per prefix and writes none after the first "
                    "whose `cilium kvstore get` fails): {} missing",
                    name, missing, n == 1 ? "its keys are" : "their keys are"));
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
  KvstoreMembers members;
  captured_from_name(in.name(), sink.meta());
  for_each_archive_member(in, [&](const std::string& member, Input& m) {
    std::string base = basename_of(member);
    captured_from_name(member, sink.meta());
    if (is_kvstore_member(base))
      read_kvstore_member(m, member, sink, opts, members);
    else if (is_config_member(base))
      read_config(m, sink.meta());
    return true;
  });
  check_members(in.name(), members, sink.meta());
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
  KvstoreMembers members;
  captured_from_name(dir, sink.meta());
  for (const auto& f : files) {
    std::string base = basename_of(f);
    if (is_kvstore_member(base)) {
      auto in = open_input(f);
      read_kvstore_member(*in, f, sink, opts, members);
    } else if (is_config_member(base)) {
      auto in = open_input(f);
      read_config(*in, sink.meta());
    }
  }
  check_members(dir, members, sink.meta());
}

}  // namespace kvsnap
