// The line-oriented dumps: `etcdctl get` simple and --hex, `-w fields`, and `cilium kvstore get`
// text (`key => value`).
#include <fmt/format.h>

#include "etcd/readers.h"
#include "io/limits.h"
#include "util/codec.h"
#include "util/error.h"

namespace kvsnap {
namespace {

// No line of these formats holds more than one key or value (the simple format and cilium text
// join lines into a value, which is bounded as it grows).
constexpr uint64_t kMaxLine = kMaxValueBytes + 16;
constexpr const char* kLineWhy = ": longer than any key or value SQLite stores (1 GB)";
// -w fields quotes a value the Go way: up to 4 characters per byte (\xHH).
constexpr uint64_t kMaxFieldsLine = 4 * kMaxValueBytes + 64;
// A buffer that held a line this long is given back after use rather than kept for the next.
constexpr size_t kKeepBuffer = size_t(16) << 20;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string line_at(int64_t n) { return fmt::format("line {}", n); }

// etcdctl and cilium end every line they print with a newline: a last line without one is where
// the dump was cut (a cut at a line boundary cannot be seen in these formats, except through the
// counts of -w fields).
[[noreturn]] void cut_line(Input& in, int64_t lineno) {
  throw InputError(in.name(), line_at(lineno),
                   "truncated: the last line has no newline at its end (etcdctl and cilium end every line with one): "
                   "the dump was cut");
}
void check_last_newline(Input& in, int64_t lineno) {
  if (lineno > 0 && !in.ended_with_newline()) cut_line(in, lineno);
}

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
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

}  // namespace

void read_etcd_simple(Input& in, RecordSink& sink, const ReadOptions& opts) {
  std::string line, next;
  int64_t lineno = 0;
  if (!in.next_line(line, kMaxLine, kLineWhy))
    throw InputError(in.name(), "byte 0", "empty input: expected etcdctl get output");
  ++lineno;
  std::string prefix = opts.key_prefix ? *opts.key_prefix : derive_prefix(line);
  if (!starts_with(line, prefix))
    throw InputError(in.name(), line_at(1),
                     fmt::format("the first line does not start with the key prefix '{}'", prefix));
  if (line.empty()) throw InputError(in.name(), line_at(1), "empty key: etcd keys are never empty");
  std::string key = std::move(line);
  int64_t key_line = 1;
  for (;;) {
    try {
      if (!in.next_line(line, kMaxLine, kLineWhy))
        throw InputError(in.name(), line_at(key_line), "key line without its value line (the input ends)");
    } catch (const LineTooLong& e) {
      throw InputError(e.file(), e.where(), value_too_big(key, e.bytes_read(), true));
    }
    ++lineno;
    Record r;
    r.key = key;
    r.value = std::move(line);
    bool have_next = false;
    while (in.next_line(next, kMaxLine, kLineWhy)) {
      ++lineno;
      if (starts_key(next, key, prefix, opts.key_prefix.has_value())) {
        have_next = true;
        break;
      }
      // Not a key: the value before held a newline (or ended with one).
      if (r.value.size() + 1 + next.size() > kMaxValueBytes)
        throw InputError(in.name(), line_at(lineno), value_too_big(key, r.value.size() + 1 + next.size(), true));
      r.value += '\n';
      r.value += next;
      ++sink.meta().joined_lines;
    }
    if (!have_next) check_last_newline(in, lineno);
    emit(in, sink, std::move(r), [&] { return line_at(key_line); });
    if (!have_next) return;
    key = std::move(next);
    key_line = lineno;
  }
}

// One line of etcdctl --hex output (`\xHH` per byte), decoded as it streams in: the line itself,
// four times the bytes, is never held.
enum class HexLine { End, Ok, NotHex, TooLong, Unterminated };
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
HexLine next_hex_line(Input& in, std::string& out) {
  out.clear();
  char quad[4];
  int nq = 0;
  bool any = false, bad = false;
  for (;;) {
    auto c = in.chunk();
    if (c.empty()) return !any ? HexLine::End : HexLine::Unterminated;
    any = true;
    auto nl = c.find('\n');
    size_t take = nl == std::string_view::npos ? c.size() : nl;
    if (!bad) {
      // Each byte of the line is one quad; the output never outgrows a quarter of the line.
      if (out.size() + (take + nq) / 4 > kMaxValueBytes) return HexLine::TooLong;
      for (size_t i = 0; i < take && !bad; ++i) {
        quad[nq++] = c[i];
        if (nq < 4) continue;
        nq = 0;
        int hi = hex_digit(quad[2]), lo = hex_digit(quad[3]);
        if (quad[0] != '\\' || quad[1] != 'x' || hi < 0 || lo < 0)
          bad = true;
        else
          out += char(hi * 16 + lo);
      }
    }
    if (nl != std::string_view::npos) {
      in.consume(nl + 1);
      return bad || nq != 0 ? HexLine::NotHex : HexLine::Ok;
    }
    in.consume(c.size());
  }
}

void read_etcd_hex(Input& in, RecordSink& sink, const ReadOptions&) {
  int64_t lineno = 0;
  bool any = false;
  for (;;) {
    Record r;
    HexLine k = next_hex_line(in, r.key);
    if (k == HexLine::End) break;
    ++lineno;
    any = true;
    if (k == HexLine::Unterminated) cut_line(in, lineno);
    if (k == HexLine::TooLong) throw InputError(in.name(), line_at(lineno), key_too_big(r.key, r.key.size(), true));
    if (k == HexLine::NotHex || r.key.empty())
      throw InputError(in.name(), line_at(lineno), "expected a key as \\xHH bytes (etcdctl --hex)");
    HexLine v = next_hex_line(in, r.value);
    if (v == HexLine::End)
      throw InputError(in.name(), line_at(lineno), "key line without its value line (the input ends)");
    ++lineno;
    if (v == HexLine::Unterminated) cut_line(in, lineno);
    if (v == HexLine::TooLong) throw InputError(in.name(), line_at(lineno), value_too_big(r.key, r.value.size(), true));
    if (v == HexLine::NotHex)
      throw InputError(in.name(), line_at(lineno), "expected a value as \\xHH bytes (etcdctl --hex)");
    emit(in, sink, std::move(r), [&] { return line_at(lineno - 1); });
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
  // The last block said "More" : true (its kvs and count). A flag and a pair rather than an
  // optional pair: GCC 12 warns (maybe-uninitialized) about the optional here.
  bool pending_more = false;
  std::pair<int64_t, uint64_t> pending_counts{0, 0};
  int64_t key_line = 0;
  auto flush = [&] {
    if (in_kv) {
      emit(in, sink, std::move(cur), [&] { return line_at(key_line); });
      ++block_kvs;
    }
    in_kv = false;
  };
  auto block_must_be_closed = [&](const char* what) {
    if (block_kvs > 0 || in_kv)
      throw InputError(in.name(), line_at(lineno),
                       fmt::format("truncated: {} before the \"Count\" line of the response before it", what));
  };
  bool any = false;
  while (in.next_line(line, kMaxFieldsLine, kLineWhy)) {
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
      if (k->size() > kMaxValueBytes) throw InputError(in.name(), line_at(lineno), key_too_big(*k, k->size()));
      cur = Record{};
      in_kv = true;
      key_line = lineno;
      cur.key = std::move(*k);
    } else if (name == "Value") {
      if (!in_kv) throw bad("appears before any \"Key\" line");
      auto val = go_unquote(v);
      if (!val) throw bad("expected a Go-quoted string");
      if (val->size() > kMaxValueBytes)
        throw InputError(in.name(), line_at(lineno), value_too_big(cur.key, val->size()));
      cur.value = std::move(*val);
      if (line.capacity() > kKeepBuffer) std::string().swap(line);  // not held while the value is stored
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
      pending_more = block_more;
      if (block_more) pending_counts = {block_kvs, number(false)};
      check_count(in, sink, block_kvs, number(false), block_more, line_at(lineno), false);
      block_kvs = 0;
      block_more = false;
    }
    // Other names (a newer etcdctl) carry nothing kvsnap stores.
  }
  flush();
  if (!any) throw InputError(in.name(), "byte 0", "empty input: expected etcdctl -w fields output");
  check_last_newline(in, lineno);
  ++lineno;
  block_must_be_closed("the input ends");
  if (pending_more) check_count(in, sink, pending_counts.first, pending_counts.second, true, line_at(lineno));
}

void read_cilium_text(Input& in, RecordSink& sink, const ReadOptions&) {
  static constexpr std::string_view kSep = " => ";
  std::string line;
  int64_t lineno = 0, key_line = 0;
  Record cur;
  bool have = false;
  // A line over the bound names its key (the part before " => ") when it has one.
  auto next = [&] {
    try {
      return in.next_line(line, kMaxLine, kLineWhy);
    } catch (const LineTooLong& e) {
      auto sep = e.head().find(kSep);
      if (sep == std::string::npos || sep == 0) throw;
      throw InputError(e.file(), e.where(), value_too_big(e.head().substr(0, sep), e.bytes_read(), true));
    }
  };
  while (next()) {
    ++lineno;
    auto sep = line.find(kSep);
    if (sep == std::string::npos || sep == 0) {
      if (!have) throw InputError(in.name(), line_at(lineno), "expected `key => value` (cilium kvstore get)");
      if (cur.value.size() + 1 + line.size() > kMaxValueBytes)
        throw InputError(in.name(), line_at(lineno), value_too_big(cur.key, cur.value.size() + 1 + line.size(), true));
      cur.value += '\n';
      cur.value += line;
      ++sink.meta().joined_lines;
      continue;
    }
    if (have) emit(in, sink, std::move(cur), [&] { return line_at(key_line); });
    cur = Record{};
    have = true;
    key_line = lineno;
    // The line becomes the value (its key part cut off in place): a long value is not copied.
    cur.key.assign(line, 0, sep);
    line.erase(0, sep + kSep.size());
    cur.value = std::move(line);
    line = std::string();
  }
  if (!have) throw InputError(in.name(), "byte 0", "empty input: expected `cilium kvstore get` output");
  check_last_newline(in, lineno);
  emit(in, sink, std::move(cur), [&] { return line_at(key_line); });
}

}  // namespace kvsnap
