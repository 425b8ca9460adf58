// The line-oriented dumps: `etcdctl get` simple and --hex, `-w fields`, and `cilium kvstore get`
// text (`key => value`).
#include <fmt/format.h>

#include "etcd/readers.h"
#include "util/codec.h"
#include "util/error.h"

namespace kvsnap {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string line_at(int64_t n) { return fmt::format("line {}", n); }

std::string derive_prefix(std::string_view first_key) {
  auto slash = first_key.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(first_key.substr(0, slash + 1));
}

// Whether a line after a value starts the next key. etcdctl prints keys in byte order, so a key
// sorts after the previous one; and it starts with the dump's prefix, or (unless --prefix was
// given) with a path segment like "cilium/" or "registry/" -- a first segment of name
// characters. Continuation lines of multi-line values ("line2", "}", "k8s:a=b;...") are neither.
bool starts_key(std::string_view line, std::string_view prev_key, std::string_view prefix, bool prefix_given) {
  if (!(line > prev_key)) return false;
  if (line.substr(0, prefix.size()) == prefix) return true;
  if (prefix_given) return false;
  auto slash = line.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  for (char c : line.substr(0, slash))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

void read_etcd_simple(Input& in, RecordSink& sink, const ReadOptions& opts) {
  std::string line, next;
  int64_t lineno = 0;
  if (!in.next_line(line)) throw InputError(in.name(), "byte 0", "empty input: expected etcdctl get output");
  ++lineno;
  std::string prefix = opts.key_prefix ? *opts.key_prefix : derive_prefix(line);
  if (!starts_with(line, prefix))
    throw InputError(in.name(), line_at(1), fmt::format("the first line does not start with the key prefix '{}'", prefix));
  if (line.empty()) throw InputError(in.name(), line_at(1), "empty key: etcd keys are never empty");
  std::string key = line;
  int64_t key_line = 1;
  for (;;) {
    if (!in.next_line(line))
      throw InputError(in.name(), line_at(key_line), "key line without its value line (the input ends)");
    ++lineno;
    Record r;
    r.key = key;
    r.value = line;
    bool have_next = false;
    while (in.next_line(next)) {
      ++lineno;
      if (starts_key(next, key, prefix, opts.key_prefix.has_value())) {
        have_next = true;
        break;
      }
      // Not a key: the value before held a newline (or ended with one).
      r.value += '\n';
      r.value += next;
      ++sink.meta().joined_lines;
    }
    sink.record(std::move(r));
    if (!have_next) return;
    key = next;
    key_line = lineno;
  }
}

void read_etcd_hex(Input& in, RecordSink& sink, const ReadOptions&) {
  std::string key_line, value_line;
  int64_t lineno = 0;
  bool any = false;
  while (in.next_line(key_line)) {
    ++lineno;
    any = true;
    auto key = hex_line_decode(key_line);
    if (!key || key->empty())
      throw InputError(in.name(), line_at(lineno), "expected a key as \\xHH bytes (etcdctl --hex)");
    if (!in.next_line(value_line))
      throw InputError(in.name(), line_at(lineno), "key line without its value line (the input ends)");
    ++lineno;
    auto value = hex_line_decode(value_line);
    if (!value) throw InputError(in.name(), line_at(lineno), "expected a value as \\xHH bytes (etcdctl --hex)");
    Record r;
    r.key = std::move(*key);
    r.value = std::move(*value);
    sink.record(std::move(r));
  }
  if (!any) throw InputError(in.name(), "byte 0", "empty input: expected etcdctl --hex output");
}

namespace {

// 3.6+ `-w fields --hex` prints ClusterID/MemberID as unpadded hex and Lease as %016x.
std::optional<uint64_t> parse_fields_number(std::string_view v, bool hex) {
  return hex ? parse_hex_u64(v) : parse_u64(v);
}

bool has_hex_letter(std::string_view v) { return v.find_first_of("abcdef") != std::string_view::npos; }

}  // namespace

void read_etcd_fields(Input& in, RecordSink& sink, const ReadOptions&) {
  std::string line;
  int64_t lineno = 0;
  Record cur;
  bool in_kv = false;
  int64_t block_kvs = 0;  // kvs since the last "Count" line (each response block ends with one)
  bool block_more = false;
  std::optional<std::pair<int64_t, uint64_t>> pending_more;  // the last block said "More" : true
  auto flush = [&] {
    if (in_kv) {
      sink.record(std::move(cur));
      ++block_kvs;
    }
    in_kv = false;
  };
  auto block_must_be_closed = [&](const char* what) {
    if (block_kvs > 0 || in_kv)
      throw InputError(in.name(), line_at(lineno), fmt::format("truncated: {} before the \"Count\" line of the response before it", what));
  };
  bool any = false;
  while (in.next_line(line)) {
    ++lineno;
    if (line.empty()) continue;
    any = true;
    auto sep = line.find("\" : ");
    if (line[0] != '"' || sep == std::string::npos)
      throw InputError(in.name(), line_at(lineno), "expected a `\"Name\" : value` line (etcdctl -w fields)");
    std::string name = line.substr(1, sep - 1);
    std::string_view v = std::string_view(line).substr(sep + 4);
    auto bad = [&](const char* what) {
      return InputError(in.name(), line_at(lineno), fmt::format("\"{}\": {}", name, what));
    };
    auto number = [&](bool hex) -> uint64_t {
      auto n = parse_fields_number(v, hex);
      if (!n) throw bad("expected a number");
      return *n;
    };
    auto kv_number = [&]() -> int64_t {
      if (!in_kv) throw bad("appears before any \"Key\" line");
      bool neg = !v.empty() && v[0] == '-';
      auto n = neg ? parse_i64(v) : std::optional<int64_t>();
      if (neg) {
        if (!n) throw bad("expected a number");
        return *n;
      }
      uint64_t u = number(false);
      if (u > uint64_t(INT64_MAX)) throw bad("number out of range");
      return int64_t(u);
    };
    SnapshotMeta& m = sink.meta();
    if (name == "Key") {
      flush();
      auto k = go_unquote(v);
      if (!k) throw bad("expected a Go-quoted string");
      cur = Record{};
      in_kv = true;
      cur.key = std::move(*k);
    } else if (name == "Value") {
      if (!in_kv) throw bad("appears before any \"Key\" line");
      auto val = go_unquote(v);
      if (!val) throw bad("expected a Go-quoted string");
      cur.value = std::move(*val);
    } else if (name == "CreateRevision") {
      int64_t n = kv_number();
      cur.create_revision = n;
    } else if (name == "ModRevision") {
      int64_t n = kv_number();
      cur.mod_revision = n;
    } else if (name == "Version") {
      int64_t n = kv_number();
      cur.version = n;
    } else if (name == "Lease") {
      if (!in_kv) throw bad("appears before any \"Key\" line");
      // %016x in 3.6+ with --hex: 16 digits, hex letters or a leading zero give it away.
      bool hex = v.size() == 16 && (has_hex_letter(v) || v[0] == '0');
      uint64_t n = number(hex);
      cur.lease = int64_t(n);
    } else if (name == "ClusterID" || name == "MemberID") {
      if (name == "ClusterID") block_must_be_closed("a new response starts");
      flush();
      uint64_t n = number(has_hex_letter(v));
      (name == "ClusterID" ? m.etcd_cluster_id : m.etcd_member_id) = n;
    } else if (name == "Revision") {
      flush();
      int64_t n = int64_t(number(false));
      if (!m.revision || n > *m.revision) m.revision = n;
    } else if (name == "RaftTerm") {
      flush();
      m.raft_term = number(false);
    } else if (name == "More") {
      flush();
      block_more = v == "true";
    } else if (name == "Count") {
      flush();
      // Only the last response's "More" makes the dump incomplete (pages fetched by hand).
      if (block_more) pending_more = {block_kvs, number(false)};
      else pending_more.reset();
      check_count(in, sink, block_kvs, number(false), block_more, line_at(lineno), false);
      block_kvs = 0;
      block_more = false;
    }
    // Other names (a newer etcdctl) carry nothing kvsnap stores.
  }
  flush();
  if (!any) throw InputError(in.name(), "byte 0", "empty input: expected etcdctl -w fields output");
  ++lineno;
  block_must_be_closed("the input ends");
  if (pending_more) check_count(in, sink, pending_more->first, pending_more->second, true, line_at(lineno));
}

void read_cilium_text(Input& in, RecordSink& sink, const ReadOptions&) {
  static constexpr std::string_view kSep = " => ";
  std::string line;
  int64_t lineno = 0;
  Record cur;
  bool have = false;
  while (in.next_line(line)) {
    ++lineno;
    auto sep = line.find(kSep);
    if (sep == std::string::npos || sep == 0) {
      if (!have) throw InputError(in.name(), line_at(lineno), "expected `key => value` (cilium kvstore get)");
      cur.value += '\n';
      cur.value += line;
      ++sink.meta().joined_lines;
      continue;
    }
    if (have) sink.record(std::move(cur));
    cur = Record{};
    have = true;
    cur.key = line.substr(0, sep);
    cur.value = line.substr(sep + kSep.size());
  }
  if (!have) throw InputError(in.name(), "byte 0", "empty input: expected `cilium kvstore get` output");
  sink.record(std::move(cur));
}

}  // namespace kvsnap
