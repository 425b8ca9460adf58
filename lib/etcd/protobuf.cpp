#include "etcd/protobuf.h"

namespace kvsnap::pb {

std::optional<uint64_t> Reader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= buf_.size()) {
      error_ = "truncated varint";
      return std::nullopt;
    }
    uint8_t b = uint8_t(buf_[pos_++]);
    if (shift == 63 && b > 1) {
      error_ = "varint overflows 64 bits";
      return std::nullopt;
    }
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  error_ = "varint longer than 10 bytes";
  return std::nullopt;
}

bool Reader::next(Field& f) {
  if (error_ || pos_ >= buf_.size()) return false;
  auto tag = varint();
  if (!tag) return false;
  f.number = uint32_t(*tag >> 3);
  f.type = WireType(*tag & 7);
  if (f.number == 0) {
    error_ = "field number 0";
    return false;
  }
  switch (f.type) {
    case Varint: {
      auto v = varint();
      if (!v) return false;
      f.varint = *v;
      return true;
    }
    case Fixed64:
    case Fixed32: {
      size_t n = f.type == Fixed64 ? 8 : 4;
      if (buf_.size() - pos_ < n) {
        error_ = "truncated fixed-width field";
        return false;
      }
      f.varint = 0;
      for (size_t i = 0; i < n; ++i) f.varint |= uint64_t(uint8_t(buf_[pos_ + i])) << (8 * i);
      pos_ += n;
      return true;
    }
    case Len: {
      auto n = varint();
      if (!n) return false;
      if (*n > buf_.size() - pos_) {
        error_ = "length-delimited field runs past the end";
        return false;
      }
      f.bytes = buf_.substr(pos_, size_t(*n));
      pos_ += size_t(*n);
      return true;
    }
    default: error_ = "unknown wire type (groups are not used by etcd)"; return false;
  }
}

}  // namespace kvsnap::pb
