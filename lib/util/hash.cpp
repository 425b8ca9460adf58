#include "util/hash.h"

#include <openssl/evp.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstring>
#include <stdexcept>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace kvsnap {

uint64_t fnv1a64(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

struct Crc32cTable {
  uint32_t t[256];
  Crc32cTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
  }
};

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, const unsigned char* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = uint32_t(c);
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}
#endif

}  // namespace

void Crc32c::update(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  if (hw) {
    state_ = crc32c_hw(state_, p, data.size());
    return;
  }
#endif
  static const Crc32cTable table;
  uint32_t c = state_;
  for (size_t i = 0; i < data.size(); ++i) c = table.t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  state_ = c;
}

int32_t key_hash(std::string_view key) {
  Crc32c c;
  c.update(key);
  return static_cast<int32_t>(c.value());  // two's complement: the same 32 bits, signed
}

std::array<uint8_t, 32> sha256(std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32)
    throw std::runtime_error("SHA-256 failed (libcrypto)");
  return out;
}

void append_kv_digest(std::string_view key, std::string_view value, std::string& out) {
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = char(uint8_t(uint64_t(key.size()) >> (8 * i)));
  XXH128_hash_t h;
  if (key.size() + value.size() <= 4096) {
    // Cilium's rows: one call over a copy costs less than the streaming state's setup.
    char buf[8 + 4096];
    std::memcpy(buf, len, 8);
    if (!key.empty()) std::memcpy(buf + 8, key.data(), key.size());
    if (!value.empty()) std::memcpy(buf + 8 + key.size(), value.data(), value.size());
    h = XXH3_128bits(buf, 8 + key.size() + value.size());
  } else {
    XXH3_state_t state;
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, len, 8);
    XXH3_128bits_update(&state, key.data(), key.size());
    XXH3_128bits_update(&state, value.data(), value.size());
    h = XXH3_128bits_digest(&state);
  }
  for (int i = 0; i < 8; ++i) out.push_back(char(uint8_t(h.low64 >> (8 * i))));
  for (int i = 0; i < 4; ++i) out.push_back(char(uint8_t(h.high64 >> (8 * i))));
}

}  // namespace kvsnap
