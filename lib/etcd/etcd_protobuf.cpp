// `etcdctl get -w protobuf`: one etcdserverpb.RangeResponse, raw, no length prefix.
//   RangeResponse { 1 header ResponseHeader; 2 kvs KeyValue (repeated); 3 more; 4 count }
//   ResponseHeader { 1 cluster_id; 2 member_id; 3 revision; 4 raft_term }
//   KeyValue { 1 key; 2 create_revision; 3 mod_revision; 4 version; 5 value; 6 lease }
// The top level is streamed field by field (one kvs entry in memory at a time, its value moved
// out of the entry's bytes rather than copied; an entry larger than any record SQLite stores is
// refused from its declared length, before it is read).
#include <algorithm>

#include <fmt/format.h>

#include "etcd/protobuf.h"
#include "etcd/readers.h"
#include "io/limits.h"
#include "util/error.h"

namespace kvsnap {
namespace {

// Reads one varint straight from the stream; nullopt at a clean end of input.
std::optional<uint64_t> stream_varint(Input& in, bool at_field_start) {
  auto head = in.peek(10);
  if (head.empty()) {
    if (at_field_start) return std::nullopt;
    throw InputError(in.name(), fmt::format("byte {}", in.offset()), "truncated protobuf: the input ends in a field");
  }
  uint64_t v = 0;
  for (size_t i = 0; i < head.size() && i < 10; ++i) {
    uint8_t b = uint8_t(head[i]);
    if (i == 9 && b > 1)
      throw InputError(in.name(), fmt::format("byte {}", in.offset()), "invalid protobuf: varint overflows 64 bits");
    v |= uint64_t(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      in.consume(i + 1);
      return v;
    }
  }
  if (head.size() < 10)
    throw InputError(in.name(), fmt::format("byte {}", in.offset()),
                     "truncated protobuf: the input ends inside a varint");
  throw InputError(in.name(), fmt::format("byte {}", in.offset()), "invalid protobuf: varint longer than 10 bytes");
}

// Consumes n bytes without keeping them; false when the input ends first.
bool skip_bytes(Input& in, uint64_t n) {
  while (n > 0) {
    auto c = in.chunk();
    if (c.empty()) return false;
    size_t k = size_t(std::min<uint64_t>(n, c.size()));
    in.consume(k);
    n -= k;
  }
  return true;
}

// A KeyValue's key and value and their field tags and lengths, with room for its other fields.
constexpr uint64_t kMaxKeyValueMessage = kMaxValueBytes + 1024;
// Values from this size on are moved out of the entry's bytes instead of copied.
constexpr size_t kMoveValueFrom = 64 * 1024;

int64_t as_i64(uint64_t v) { return int64_t(v); }  // proto3 int64: two's complement in a varint

}  // namespace

void read_etcd_protobuf(Input& in, RecordSink& sink, const ReadOptions&) {
  if (in.at_end()) throw InputError(in.name(), "byte 0", "empty input: expected etcdctl -w protobuf output");
  std::string body;
  int64_t kvs = 0;
  std::optional<uint64_t> count;
  bool more = false;
  for (;;) {
    uint64_t field_at = in.offset();
    auto tag = stream_varint(in, true);
    if (!tag) break;
    uint32_t number = uint32_t(*tag >> 3);
    uint32_t type = uint32_t(*tag & 7);
    auto where = fmt::format("byte {}", field_at);
    if (number == 0) throw InputError(in.name(), where, "invalid protobuf: field number 0");
    if (type == pb::Varint) {
      uint64_t v = *stream_varint(in, false);
      if (number == 3) more = v != 0;
      if (number == 4) count = v;
      continue;
    }
    if (type == pb::Fixed64 || type == pb::Fixed32) {
      std::string skip;
      if (!in.read_exact(type == pb::Fixed64 ? 8 : 4, skip))
        throw InputError(in.name(), where, "truncated protobuf: the input ends in a field");
      continue;
    }
    if (type != pb::Len)
      throw InputError(in.name(), where, "invalid protobuf: unknown wire type (not a RangeResponse)");
    uint64_t len = *stream_varint(in, false);
    if (number != 1 && number != 2) {  // not a RangeResponse field kvsnap reads: not kept
      if (!skip_bytes(in, len))
        throw InputError(in.name(), where,
                         fmt::format("truncated protobuf: field {} needs {} bytes, the input ends first", number, len));
      continue;
    }
    if (len > kMaxKeyValueMessage)
      throw InputError(in.name(), where,
                       fmt::format("{} {} declares {} bytes: more than any record SQLite stores (at most 1 GB); the "
                                   "file is damaged or not etcdctl -w protobuf output",
                                   number == 2 ? "a KeyValue (field 2)" : "the header (field 1)",
                                   number == 2 ? "entry" : "message", len));
    body.clear();
    if (body.capacity() < kMoveValueFrom) body.reserve(kMoveValueFrom);
    if (!in.read_exact(size_t(len), body))
      throw InputError(in.name(), where,
                       fmt::format("truncated protobuf: field {} needs {} bytes, the input ends first", number, len));
    pb::Reader r(body);
    pb::Field f;
    if (number == 1) {  // header
      SnapshotMeta& m = sink.meta();
      while (r.next(f)) {
        if (f.type != pb::Varint) continue;
        if (f.number == 1)
          m.etcd_cluster_id = f.varint;
        else if (f.number == 2)
          m.etcd_member_id = f.varint;
        else if (f.number == 3) {
          int64_t rev = as_i64(f.varint);
          if (!m.revision || rev > *m.revision) m.revision = rev;
        } else if (f.number == 4)
          m.raft_term = f.varint;
      }
    } else if (number == 2) {  // kvs
      Record rec;
      bool has_key = false;
      std::string_view value;
      while (r.next(f)) {
        switch (f.number) {
          case 1:
            if (f.type == pb::Len) {
              rec.key.assign(f.bytes);
              has_key = true;
            }
            break;
          case 2:
            if (f.type == pb::Varint) rec.create_revision = as_i64(f.varint);
            break;
          case 3:
            if (f.type == pb::Varint) rec.mod_revision = as_i64(f.varint);
            break;
          case 4:
            if (f.type == pb::Varint) rec.version = as_i64(f.varint);
            break;
          case 5:
            if (f.type == pb::Len) value = f.bytes;
            break;
          case 6:
            if (f.type == pb::Varint) rec.lease = as_i64(f.varint);
            break;
          default: break;
        }
      }
      if (r.error())
        throw InputError(in.name(), fmt::format("byte {}", field_at + r.offset()),
                         fmt::format("invalid protobuf in a KeyValue: {}", r.error()));
      if (!has_key) throw InputError(in.name(), where, "a KeyValue has no key");
      if (value.size() >= kMoveValueFrom) {
        // The value is most of the entry: shift it to the front of the entry's bytes and hand
        // those over (the next entry gets a new buffer), instead of holding it twice.
        size_t off = size_t(value.data() - body.data()), n = value.size();
        body.erase(0, off);
        body.resize(n);
        rec.value = std::move(body);
        body = std::string();
      } else {
        rec.value.assign(value);
      }
      // proto3 omits zero fields: a kv printed by etcd always has them, so absent means 0.
      if (!rec.lease) rec.lease = 0;
      if (!rec.create_revision) rec.create_revision = 0;
      if (!rec.mod_revision) rec.mod_revision = 0;
      if (!rec.version) rec.version = 0;
      emit(in, sink, std::move(rec), [&] { return where; });
      ++kvs;
      continue;
    }
    if (r.error() && number == 1)
      throw InputError(in.name(), where, fmt::format("invalid protobuf in the header: {}", r.error()));
  }
  // etcd writes count (field 4) last whenever there are kvs: without it the bytes stop early.
  if (kvs > 0 && !count)
    throw InputError(in.name(), fmt::format("byte {}", in.offset()),
                     fmt::format("truncated protobuf: {} kvs but no count field after them", kvs));
  check_count(in, sink, kvs, count.value_or(0), more, fmt::format("byte {}", in.offset()));
}

}  // namespace kvsnap
