#pragma once
// etcd's data inside a bbolt file (member/snap/db or `etcdctl snapshot save` output): the `key`
// bucket's revisions rebuilt into the latest state (or the state at a revision), the history,
// leases, members and the meta bucket; the SHA-256 trailer; `snapshot status` numbers.
// Format: docs/etcd-formats.md, sections "Snapshot trailer", "etcd's buckets" and "Snapshot status
// and `kvimport --status`".
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etcd/bbolt.h"
#include "etcd/readers.h"
#include "io/mapped_file.h"

namespace kvsnap {

enum class Trailer { Absent, Match, Mismatch };
const char* trailer_name(Trailer t);  // "absent", "match", "mismatch"

struct EtcdDbBucket {
  std::string name;
  bool is_inline = false;
  uint64_t entries = 0;
};

// What `kvimport --status` reports: etcdctl's `snapshot status` numbers and the file's shape.
struct EtcdDbStatus {
  uint32_t hash = 0;            // CRC-32C over bucket names, keys and values (etcdctl's "hash")
  int64_t revision = 0;         // main revision of the last record of the key bucket
  uint64_t total_key = 0;       // 3.4/3.5: entries in all buckets
  uint64_t total_key_live = 0;  // 3.6+: live keys
  uint64_t total_size = 0;      // high-water mark * page size
  std::string version;          // meta/storageVersion (3.6+), "" when absent
  uint32_t page_size = 0;
  uint64_t high_water_mark = 0, file_size = 0, txid = 0;
  int meta_page = 0;
  bool big_endian = false;
  Trailer trailer = Trailer::Absent;
  std::vector<EtcdDbBucket> buckets;
  BoltPageStats pages;
  uint64_t history_records = 0, tombstones = 0;
  std::optional<int64_t> compact_revision, scheduled_compact_revision;
  std::optional<uint64_t> consistent_index, term;
  std::optional<std::string> cluster_version;
};

// The bytes of a db file: mapped read-only when the input is a plain file, otherwise (stdin,
// compressed) read into memory.
struct DbBytes {
  std::unique_ptr<MappedFile> mapped;
  std::string buffer;
  std::string_view bytes;
};
DbBytes load_db_bytes(Input& in);

// Reads a db file (or bytes already in memory) and computes the status; throws InputError.
EtcdDbStatus etcd_db_status(const std::string& name, std::string_view bytes);
// bbolt's integrity checks plus etcd's record checks; returns the problems found (empty = ok).
std::vector<std::string> etcd_db_verify(const std::string& name, std::string_view bytes);

// True when the bytes start with a bbolt meta page.
bool looks_like_bbolt(std::string_view head);

}  // namespace kvsnap
