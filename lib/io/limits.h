#pragma once
// What kvsnap refuses to read and how far it lets an input grow, in one place
// (docs/input-bounds.md explains each bound and the tests that hold it).
#include <cstdint>
#include <string>
#include <string_view>

namespace kvsnap {

// SQLite keeps at most this many bytes in one string or blob, and in one row (SQLITE_MAX_LENGTH,
// Debian's build): no key or value beyond it can be imported. Readers refuse a key or value as
// soon as it grows past it, before holding more of it in memory.
inline constexpr uint64_t kMaxValueBytes = 1'000'000'000;
// Key and value of one record together: the rest of its kv row (snapshot id, revisions, lease,
// layout name, the record header) must still fit under SQLite's limit.
inline constexpr uint64_t kMaxRecordBytes = kMaxValueBytes - 4096;
// Values longer than this are kept in kv but not decoded into Cilium's tables (they get a
// decode_error row): Cilium writes values of a few KB, and decoding parses the whole value.
inline constexpr uint64_t kMaxDecodeBytes = uint64_t(16) << 20;
// A JSON dump nests 4 levels (response, kvs, entry, member); deeper input is refused.
inline constexpr int kMaxJsonDepth = 32;
// A decompressed stream (.zst, .gz, a .zip/.tar member) may give at most this many bytes per
// compressed byte read, once it has given kExpansionFloor bytes; and never more than
// kMaxDecompressedBytes. Real kvstore dumps compress 5 to 30 times.
inline constexpr uint64_t kMaxExpansionRatio = 200;
inline constexpr uint64_t kExpansionFloor = uint64_t(64) << 20;
inline constexpr uint64_t kMaxDecompressedBytes = uint64_t(64) << 30;

// A key (or any bytes) for a message: Go-style escapes for what is not printable ASCII, cut to
// about 100 bytes with "..." and the total length, inside double quotes.
std::string quote_bytes(std::string_view s);
// "1.2 GB", "340 MB", "12 KB", "17 bytes" (decimal units, as SQLite's 1 GB limit is).
std::string human_bytes(uint64_t n);
// "value of key "cilium/x" is 1.2 GB (1234567890 bytes); SQLite stores at most 1 GB per value"
// (`at_least`: the size is what was read before stopping, the value is longer).
std::string value_too_big(std::string_view key, uint64_t size, bool at_least = false);
// The same for a key.
std::string key_too_big(std::string_view key_start, uint64_t size, bool at_least = false);

}  // namespace kvsnap
