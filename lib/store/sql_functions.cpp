#include "store/sql_functions.h"

#include <cstring>
#include <string>

#include "cilium/labels.h"
#include "net/ip.h"
#include "util/codec.h"
#include "util/hash.h"
#include "util/time.h"

namespace kvsnap {
namespace {

std::string_view text_arg(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  return p ? std::string_view(reinterpret_cast<const char*>(p), size_t(sqlite3_value_bytes(v))) : std::string_view();
}

bool is_null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

void fn_ip_bin(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0])) return sqlite3_result_null(ctx);
  auto ip = parse_ip(text_arg(argv[0]));
  if (!ip) return sqlite3_result_null(ctx);
  sqlite3_result_blob(ctx, ip->bytes.data(), 16, SQLITE_TRANSIENT);
}

void fn_ip_text(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || sqlite3_value_bytes(argv[0]) != 16) return sqlite3_result_null(ctx);
  IpAddr a;
  std::memcpy(a.bytes.data(), sqlite3_value_blob(argv[0]), 16);
  a.v4 = true;
  for (int i = 0; i < 10; ++i) a.v4 = a.v4 && a.bytes[i] == 0;
  a.v4 = a.v4 && a.bytes[10] == 0xFF && a.bytes[11] == 0xFF;
  std::string s = a.to_string();
  sqlite3_result_text(ctx, s.data(), int(s.size()), SQLITE_TRANSIENT);
}

void fn_cidr_contains(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0]) || is_null(argv[1])) return sqlite3_result_null(ctx);
  auto c = parse_cidr(text_arg(argv[0]));
  auto ip = parse_ip(text_arg(argv[1]));
  if (!c || !ip) return sqlite3_result_null(ctx);
  sqlite3_result_int(ctx, c->start.blob() <= ip->blob() && ip->blob() <= c->end.blob());
}

void fn_cidr_overlaps(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0]) || is_null(argv[1])) return sqlite3_result_null(ctx);
  auto a = parse_cidr(text_arg(argv[0]));
  auto b = parse_cidr(text_arg(argv[1]));
  if (!a || !b) return sqlite3_result_null(ctx);
  sqlite3_result_int(ctx, a->start.blob() <= b->end.blob() && b->start.blob() <= a->end.blob());
}

void fn_label_value(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0]) || is_null(argv[1])) return sqlite3_result_null(ctx);
  auto labels = parse_labels(text_arg(argv[0]));
  const Label* l = find_label(labels, text_arg(argv[1]));
  if (!l) return sqlite3_result_null(ctx);
  sqlite3_result_text(ctx, l->value.data(), int(l->value.size()), SQLITE_TRANSIENT);
}

// 1 when the label string is in Cilium's canonical form (re-serializes to the same bytes). The
// last answer is kept: a query over every slave key sees the keys of one label set (one per
// node) one after the other in key order, and parses each label set about once.
void fn_labels_canonical(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0])) return sqlite3_result_null(ctx);
  std::string_view s = text_arg(argv[0]);
  thread_local std::string last;
  thread_local bool last_canonical = false;
  if (s != last) {
    last.assign(s);
    last_canonical = format_labels(parse_labels(s)) == s;
  }
  sqlite3_result_int(ctx, last_canonical);
}

void fn_identity_cluster(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0]) || is_null(argv[1])) return sqlite3_result_null(ctx);
  int64_t id = sqlite3_value_int64(argv[0]);
  int shift = sqlite3_value_int(argv[1]);
  if (shift != 15 && shift != 16) return sqlite3_result_null(ctx);  // the only shifts Cilium uses
  int64_t mask = shift == 15 ? 511 : 255;
  sqlite3_result_int64(ctx, (id >> shift) & mask);
}

void fn_rfc3339(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0])) return sqlite3_result_null(ctx);
  int64_t t = sqlite3_value_int64(argv[0]);
  if (t < -62135596800 || t > 253402300799) return sqlite3_result_null(ctx);  // years 1 to 9999
  std::string s = format_rfc3339(t);
  sqlite3_result_text(ctx, s.data(), int(s.size()), SQLITE_TRANSIENT);
}

// Bytes for people: text when valid UTF-8, otherwise "base64:..." (as kvquery prints BLOBs).
void fn_display_bytes(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0])) return sqlite3_result_null(ctx);
  const void* p = sqlite3_value_blob(argv[0]);
  std::string_view b(p ? static_cast<const char*>(p) : "", size_t(sqlite3_value_bytes(argv[0])));
  std::string out = is_valid_utf8(b) ? std::string(b) : "base64:" + base64_encode(b);
  sqlite3_result_text(ctx, out.data(), int(out.size()), SQLITE_TRANSIENT);
}

// kv.key_hash of a key given as BLOB or TEXT (the same bytes either way).
void fn_key_hash(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (is_null(argv[0])) return sqlite3_result_null(ctx);
  const void* p = sqlite3_value_blob(argv[0]);
  sqlite3_result_int(
      ctx, key_hash(std::string_view(p ? static_cast<const char*>(p) : "", size_t(sqlite3_value_bytes(argv[0])))));
}

struct Fn {
  const char* name;
  int args;
  void (*fn)(sqlite3_context*, int, sqlite3_value**);
};

constexpr Fn kFunctions[] = {
    {"ip_bin", 1, fn_ip_bin},
    {"ip_text", 1, fn_ip_text},
    {"cidr_contains", 2, fn_cidr_contains},
    {"cidr_overlaps", 2, fn_cidr_overlaps},
    {"label_value", 2, fn_label_value},
    {"labels_canonical", 1, fn_labels_canonical},
    {"identity_cluster", 2, fn_identity_cluster},
    {"rfc3339", 1, fn_rfc3339},
    {"display_bytes", 1, fn_display_bytes},
    {"key_hash", 1, fn_key_hash},
};

}  // namespace

void register_sql_functions(Db& db, std::optional<int64_t> current_snapshot) {
  if (current_snapshot) {
    // The id lives as long as the function: SQLite owns the copy and frees it.
    auto* id = new int64_t(*current_snapshot);
    if (sqlite3_create_function_v2(
            db.get(), "current_snapshot", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC, id,
            [](sqlite3_context* ctx, int, sqlite3_value**) {
              sqlite3_result_int64(ctx, *static_cast<int64_t*>(sqlite3_user_data(ctx)));
            },
            nullptr, nullptr, [](void* p) { delete static_cast<int64_t*>(p); }) != SQLITE_OK)
      throw DbError("cannot register current_snapshot()");
  }
  for (const auto& f : kFunctions)
    if (sqlite3_create_function_v2(db.get(), f.name, f.args, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   nullptr, f.fn, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw DbError(std::string("cannot register SQL function ") + f.name);
}

}  // namespace kvsnap
