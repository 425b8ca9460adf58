#pragma once
// Checksums found in etcd and bbolt files.
#include <array>
#include <cstdint>
#include <string_view>

namespace kvsnap {

// FNV-1a 64 (bbolt meta page checksum).
uint64_t fnv1a64(std::string_view data);

// CRC-32C (Castagnoli), as Go's hash/crc32 with crc32.MakeTable(crc32.Castagnoli): feed data
// with update() in pieces; value() is the sum etcd's `snapshot status` prints.
class Crc32c {
 public:
  void update(std::string_view data);
  uint32_t value() const { return ~state_; }

 private:
  uint32_t state_ = 0xFFFFFFFFu;
};

// The kv table's key_hash column: the CRC-32C of the key, as a signed 32-bit integer (so that
// SQLite stores it in 4 bytes). It is part of the schema: changing it needs a new schema version.
int32_t key_hash(std::string_view key);

// kv_digest's bytes for one kv row, appended to `out`: the first 12 bytes (little endian) of the
// XXH3-128 of the key's length (8 bytes, little endian), the key and the value. kvdiff matches the
// rows of two snapshots by these (docs/database.md); the length keeps the key and value apart.
// Part of the schema, as key_hash.
constexpr size_t kKvDigestBytes = 12;
void append_kv_digest(std::string_view key, std::string_view value, std::string& out);

// SHA-256 of a byte range (the trailer of `etcdctl snapshot save` files).
std::array<uint8_t, 32> sha256(std::string_view data);

}  // namespace kvsnap
