#pragma once
// Minimal protobuf wire-format decoding over a byte range: varints, tags, length-delimited
// fields. Used for etcd's RangeResponse/KeyValue and (snapshots) mvccpb.KeyValue and leasepb.
#include <cstdint>
#include <optional>
#include <string_view>

namespace kvsnap::pb {

enum WireType : uint32_t { Varint = 0, Fixed64 = 1, Len = 2, Fixed32 = 5 };

struct Field {
  uint32_t number = 0;
  WireType type = Varint;
  uint64_t varint = 0;     // Varint, Fixed64, Fixed32
  std::string_view bytes;  // Len
};

// Reads fields from a buffer. next() returns false at the end; error() is set when the bytes
// are not valid wire format (then next() also returns false).
class Reader {
 public:
  explicit Reader(std::string_view buf) : buf_(buf) {}
  bool next(Field& f);
  const char* error() const { return error_; }
  size_t offset() const { return pos_; }

 private:
  std::optional<uint64_t> varint();
  std::string_view buf_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
};

}  // namespace kvsnap::pb
