#include "etcd/formats.h"

#include <fmt/format.h>

#include "etcd/mvcc.h"
#include "util/codec.h"
#include "util/error.h"
#include "util/text.h"

namespace kvsnap {
namespace {

constexpr size_t kSniff = 64 * 1024;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string_view first_line(Input& in) {
  auto head = in.peek(kSniff);
  auto nl = head.find('\n');
  return nl == std::string_view::npos ? head : head.substr(0, nl);
}

// The first member name of a JSON object at the start of the input ("" if there is none).
std::string_view first_json_key(std::string_view head) {
  size_t i = 0;
  while (i < head.size() && is_space(head[i])) ++i;
  if (i >= head.size() || head[i] != '{') return {};
  ++i;
  while (i < head.size() && is_space(head[i])) ++i;
  if (i >= head.size() || head[i] != '"') return {};
  size_t end = head.find('"', i + 1);
  return end == std::string_view::npos ? std::string_view() : head.substr(i + 1, end - i - 1);
}

bool starts_json(Input& in) {
  auto head = in.peek(kSniff);
  size_t i = 0;
  while (i < head.size() && is_space(head[i])) ++i;
  return i < head.size() && (head[i] == '{' || head.substr(i, 4) == "null");
}

// Cilium writes every key under cilium/; a dump of other keys is read only when --prefix names them.
bool is_kvstore_key(std::string_view key, const ReadOptions& opts) {
  return key.starts_with(opts.key_prefix ? std::string_view(*opts.key_prefix) : std::string_view("cilium/"));
}

bool sniff_archive(Input& in, const ReadOptions&) { return looks_like_archive(in); }
bool sniff_etcd_db(Input& in, const ReadOptions&) { return looks_like_bbolt(in.peek(64)); }
bool sniff_protobuf(Input& in, const ReadOptions&) {
  // A RangeResponse starts with its header (field 1, length-delimited: 0x0a). No text dump
  // starts with a newline: etcd keys are never empty.
  auto head = in.peek(1);
  return !head.empty() && head[0] == 0x0a;
}
bool sniff_etcd_json(Input& in, const ReadOptions&) {
  auto k = first_json_key(in.peek(kSniff));
  return k == "header" || k == "kvs";
}
bool sniff_cilium_json(Input& in, const ReadOptions& opts) {
  // A map from etcd keys to entries: its first member is a key ({} and null are empty results).
  if (!starts_json(in)) return false;
  auto head = in.peek(kSniff);
  auto k = first_json_key(head);
  if (!k.empty()) return is_kvstore_key(k, opts);
  size_t i = head.find_first_not_of(" \n\r\t");
  std::string_view rest = head.substr(i);
  if (rest.starts_with("null")) return true;
  size_t j = rest.find_first_not_of(" \n\r\t", 1);
  return j != std::string_view::npos && rest[j] == '}';
}
bool sniff_hex(Input& in, const ReadOptions&) {
  auto l = first_line(in);
  return !l.empty() && hex_line_decode(l).has_value();
}
bool sniff_fields(Input& in, const ReadOptions&) {
  auto l = first_line(in);
  return l.starts_with("\"ClusterID\" : ") || l.starts_with("\"Key\" : ");
}
bool sniff_cilium_text(Input& in, const ReadOptions& opts) {
  auto l = first_line(in);
  return l.find(" => ") != std::string_view::npos && is_kvstore_key(l, opts);
}
// The simple format has no structure of its own: a key line, a value line. A file is taken for
// one only when it holds kvstore keys: its first line is a key under --prefix, or it has the
// shape of a key (`name/...` or `/...`) and some line in the first 64 KiB starts with cilium/ (a
// dump of a whole etcd lists other keys before cilium/).
bool key_shaped(std::string_view l) {
  if (l.empty() || !is_valid_utf8(l)) return false;
  auto slash = l.find('/');
  if (slash == std::string_view::npos) return false;
  for (char c : l.substr(0, slash))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}
bool sniff_simple(Input& in, const ReadOptions& opts) {
  auto l = first_line(in);
  if (opts.key_prefix) return !l.empty() && l.starts_with(*opts.key_prefix);
  if (!key_shaped(l)) return false;
  auto head = in.peek(kSniff);
  return head.starts_with("cilium/") || head.find("\ncilium/") != std::string_view::npos;
}

// Outputs people mistake for dumps, recognised by their first line so the message says what the
// file is instead of importing nonsense.
struct NotADump {
  std::string_view prefix, suffix;  // of the first line
  const char* what;
  bool error_output;  // a failed command's error message or log text (see error_output)
};
constexpr NotADump kNotDumps[] = {
    {"Error: ", "", "an etcdctl or cilium error message, not a dump", true},
    {"error: ", "", "an error message (kubectl exec or cilium), not a dump", true},
    {"command terminated with exit code", "", "the error output of kubectl exec, not a dump", true},
    {"level=", "", "log lines (cilium's stderr), not a dump", true},
    {"{\"level\":", "", "etcd client log lines (etcdctl's stderr), not a dump", false},
    {"found ", " leases", "`etcdctl lease list` output, not a dump", false},
    {"[{\"Endpoint\":", "", "`etcdctl endpoint status/health -w json` output, not a dump", false},
    {"{\"cluster_id\":", "", "`etcdctl lease timetolive -w json` output, not a dump", false},
};

// The value of a top-level `name: value` YAML line in head, or "".
std::string_view yaml_field(std::string_view head, std::string_view name) {
  for (size_t pos = 0; pos < head.size();) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (line.starts_with(name) && line.substr(name.size()).starts_with(": "))
      return trim_view(line.substr(name.size() + 2));
  }
  return {};
}

bool yaml_like(std::string_view line) {
  if (line == "---" || line.starts_with("--- ")) return true;
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : line.substr(0, colon))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return colon + 1 == line.size() || line[colon + 1] == ' ';
}

// What a file that no format accepts looks like, in words: the message should tell the user
// which file of the bundle they picked up.
std::string describe_content(Input& in) {
  auto head = in.peek(kSniff);
  std::string_view line = first_line(in);
  if (key_shaped(line))
    return fmt::format(
        "a dump of etcd keys outside cilium/ (its first line \"{}\" could be a key, but no line in "
        "its first 64 KiB starts with cilium/), or not a dump at all",
        line.substr(0, 80));
  // Text is valid UTF-8 without NUL bytes (the window may cut the last character short).
  std::string_view sample = head.substr(0, std::min<size_t>(head.size(), 4096));
  bool text = sample.find('\0') == std::string_view::npos;
  if (text) {
    text = false;
    for (size_t cut = 0; cut < 4 && cut <= sample.size() && !text; ++cut)
      text = is_valid_utf8(sample.substr(0, sample.size() - cut));
  }
  if (!text)
    return "binary data, not a format kvimport knows (etcdctl get in any -w format, cilium kvstore get, a "
           "sysdump, an etcd snapshot file)";
  size_t i = head.find_first_not_of(" \n\r\t");
  if (i != std::string_view::npos && head[i] == '{') {
    auto k = first_json_key(head);
    if (k == "apiVersion" || k == "kind" || k == "metadata")
      return "a Kubernetes object in JSON (kubectl get -o json), not a kvstore dump";
    return fmt::format(
        "JSON whose first member is \"{}\", not a kvstore dump (cilium kvstore get -o json maps "
        "keys under cilium/ to entries)",
        k.substr(0, 80));
  }
  // Skip YAML comments to the first line that says something.
  std::string_view first = line;
  for (size_t pos = 0; pos < head.size();) {
    size_t nl = head.find('\n', pos);
    std::string_view l = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (!trim_view(l).empty() && !l.starts_with("#")) {
      first = l;
      break;
    }
  }
  if (yaml_like(first)) {
    auto kind = yaml_field(head, "kind");
    if (!kind.empty() && !yaml_field(head, "apiVersion").empty()) {
      auto name = yaml_field(head, "  name");
      return fmt::format("a Kubernetes object in YAML (kind: {}{}{}), not a kvstore dump", kind.substr(0, 60),
                         name.empty() ? "" : ", name: ", name.substr(0, 80));
    }
    return "YAML, not a kvstore dump";
  }
  return fmt::format("plain text whose first line is not a key under {}: \"{}\"", "cilium/", line.substr(0, 80));
}

}  // namespace

const std::vector<InputFormat>& input_formats() {
  static const std::vector<InputFormat> kFormats = {
      {"etcd-db", "an etcd snapshot (etcdctl snapshot save) or a member's member/snap/db (bbolt)", sniff_etcd_db,
       read_etcd_db},
      {"sysdump", "a `cilium sysdump` .zip (or .tar) or its unpacked folder: all kvstore-*.json files", sniff_archive,
       read_sysdump},
      {"etcd-protobuf", "etcdctl get --prefix -w protobuf", sniff_protobuf, read_etcd_protobuf},
      {"etcd-json", "etcdctl get --prefix -w json (also --keys-only, concatenated pages, grpc-gateway JSON)",
       sniff_etcd_json, read_etcd_json},
      {"cilium-json", "cilium kvstore get --recursive -o json (sysdump kvstore-*.json)", sniff_cilium_json,
       read_cilium_json},
      {"etcd-hex", "etcdctl get --prefix --hex", sniff_hex, read_etcd_hex},
      {"etcd-fields", "etcdctl get --prefix -w fields", sniff_fields, read_etcd_fields},
      {"cilium-text", "cilium kvstore get --recursive (key => value lines)", sniff_cilium_text, read_cilium_text},
      {"etcd-simple", "etcdctl get --prefix (key line, value line)", sniff_simple, read_etcd_simple},
  };
  return kFormats;
}

const InputFormat* find_format(std::string_view name) {
  for (const auto& f : input_formats())
    if (name == f.name) return &f;
  return nullptr;
}

const char* error_output(std::string_view line) {
  for (const auto& n : kNotDumps)
    if (n.error_output && line.starts_with(n.prefix) && line.ends_with(n.suffix)) return n.what;
  return nullptr;
}

const InputFormat& detect_format(Input& in, const ReadOptions& opts) {
  if (in.at_end()) throw InputError(in.name(), "byte 0", "empty input: nothing to import");
  std::string_view line = first_line(in);
  for (const auto& n : kNotDumps)
    if (line.starts_with(n.prefix) && line.ends_with(n.suffix))
      throw InputError(in.name(), "line 1", fmt::format("this is {}: {}", n.what, line.substr(0, 120)));
  for (const auto& f : input_formats())
    if (f.sniff(in, opts)) return f;
  throw InputError(in.name(), "byte 0",
                   fmt::format("this looks like {}. If it is a dump all the same, --format names its format "
                               "(--format etcd-simple for `etcdctl get` output; --prefix P if its keys are not "
                               "under cilium/)",
                               describe_content(in)));
}

}  // namespace kvsnap
