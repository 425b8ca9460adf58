#include "etcd/formats.h"

#include <fmt/format.h>

#include "etcd/mvcc.h"
#include "util/codec.h"
#include "util/error.h"

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

bool sniff_archive(Input& in) { return looks_like_archive(in); }
bool sniff_etcd_db(Input& in) { return looks_like_bbolt(in.peek(64)); }
bool sniff_protobuf(Input& in) {
  // A RangeResponse starts with its header (field 1, length-delimited: 0x0a). No text dump
  // starts with a newline: etcd keys are never empty.
  auto head = in.peek(1);
  return !head.empty() && head[0] == 0x0a;
}
bool sniff_etcd_json(Input& in) {
  auto k = first_json_key(in.peek(kSniff));
  return k == "header" || k == "kvs";
}
bool sniff_cilium_json(Input& in) { return starts_json(in); }
bool sniff_hex(Input& in) {
  auto l = first_line(in);
  return !l.empty() && hex_line_decode(l).has_value();
}
bool sniff_fields(Input& in) {
  auto l = first_line(in);
  return l.starts_with("\"ClusterID\" : ") || l.starts_with("\"Key\" : ");
}
bool sniff_cilium_text(Input& in) { return first_line(in).find(" => ") != std::string_view::npos; }
bool sniff_simple(Input& in) {
  // The first line is a key: text, and not the start of a JSON document.
  auto l = first_line(in);
  return !l.empty() && l[0] != '[' && l[0] != '{' && is_valid_utf8(l);
}

// Outputs people mistake for dumps, recognised by their first line so the message says what the
// file is instead of importing nonsense.
struct NotADump {
  std::string_view prefix, suffix;  // of the first line
  const char* what;
};
constexpr NotADump kNotDumps[] = {
    {"Error: ", "", "an etcdctl error message, not a dump"},
    {"{\"level\":", "", "etcd client log lines (etcdctl's stderr), not a dump"},
    {"found ", " leases", "`etcdctl lease list` output, not a dump"},
    {"[{\"Endpoint\":", "", "`etcdctl endpoint status/health -w json` output, not a dump"},
    {"{\"cluster_id\":", "", "`etcdctl lease timetolive -w json` output, not a dump"},
};

}  // namespace

const std::vector<InputFormat>& input_formats() {
  static const std::vector<InputFormat> kFormats = {
      {"etcd-db", "an etcd snapshot (etcdctl snapshot save) or a member's member/snap/db (bbolt)", sniff_etcd_db,
       read_etcd_db},
      {"sysdump", "a `cilium sysdump` .zip (or .tar) or its unpacked folder: all kvstore-*.json files",
       sniff_archive, read_sysdump},
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

const InputFormat& detect_format(Input& in) {
  if (in.at_end()) throw InputError(in.name(), "byte 0", "empty input: nothing to import");
  std::string_view line = first_line(in);
  for (const auto& n : kNotDumps)
    if (line.starts_with(n.prefix) && line.ends_with(n.suffix))
      throw InputError(in.name(), "line 1", fmt::format("this is {}: {}", n.what, line.substr(0, 120)));
  for (const auto& f : input_formats())
    if (f.sniff(in)) return f;
  throw InputError(in.name(), "byte 0",
                   "not a format kvimport knows (etcdctl get in any -w format, cilium kvstore get, a sysdump); "
                   "use --format to force one");
}

}  // namespace kvsnap
