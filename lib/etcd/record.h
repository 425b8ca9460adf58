#pragma once
// The one record stream every reader produces and every consumer (the importer, the Cilium
// decoders) reads: an etcd key-value pair with whatever metadata its input carried.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace kvsnap {

struct Record {
  std::string key;    // raw bytes, exactly as etcd holds them
  std::string value;  // raw bytes; empty for keys-only dumps
  std::optional<int64_t> create_revision;
  std::optional<int64_t> mod_revision;
  std::optional<int64_t> sub_revision;  // etcd db files: the change's position in its transaction
  std::optional<int64_t> version;
  std::optional<int64_t> lease;  // 0 when the input says "no lease", absent when it does not say
};

// One revision of a key as an etcd db file holds it (the `key` bucket): puts and tombstones.
struct HistoryRecord {
  std::string_view key, value;
  int64_t main_revision = 0, sub_revision = 0;
  bool tombstone = false;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

struct LeaseRecord {
  int64_t id = 0, ttl = 0;
  std::optional<int64_t> remaining_ttl;
};

struct MemberRecord {
  std::string id_hex;  // the bucket key
  std::optional<std::string> name;
  std::string peer_urls, client_urls;  // JSON arrays
  bool learner = false, removed = false;
};

// What an input says about the store as a whole, where it says it.
struct SnapshotMeta {
  std::optional<int64_t> revision;
  std::optional<uint64_t> etcd_cluster_id;
  std::optional<uint64_t> etcd_member_id;
  std::optional<uint64_t> raft_term;
  std::optional<std::string> cluster_name;  // Cilium cluster (sysdump config map)
  std::optional<int64_t> cluster_id;
  // When the input names its capture time: RFC 3339, or a local date-time without zone
  // ("2025-03-10T08:15:00") when the input does not say which zone (a sysdump's name).
  std::optional<std::string> captured_at;
  std::optional<std::string> file_mtime;  // RFC 3339 modification time of the input file
  int64_t joined_lines = 0;               // simple/text formats: lines folded into the value before
  int64_t duplicate_records = 0;          // identical key+value seen again (concatenated pages)
  bool keys_only = false;
  // etcd db files (snapshots, member/snap/db)
  std::optional<int64_t> compact_revision;            // meta/finishedCompactRev
  std::optional<int64_t> scheduled_compact_revision;  // meta/scheduledCompactRev
  std::optional<uint64_t> consistent_index;
  std::optional<std::string> storage_version, cluster_version;
  std::optional<std::string> trailer;  // "match", "mismatch" (only with --skip-hash-check), "absent"
  std::optional<int64_t> at_revision;  // the state was rebuilt at this revision (--at-revision)
  int64_t history_records = 0;
  // What a reader noticed that the user should know but that did not stop the import (a page of
  // `--limit` output that says more keys exist, an empty file in a sysdump, ...).
  std::vector<std::string> warnings;
};

// Thrown by a sink that cannot keep a record (a key or value larger than SQLite stores, a key
// seen twice with different values). The reader that handed the record over catches it and
// throws an InputError naming where the record is in its input (emit() in readers.h).
class RecordError : public InputError {
 public:
  using InputError::InputError;
};

// How long one part of an import took (kvimport --timings).
struct ImportPhase {
  std::string name;
  double wall = 0;  // seconds
  double cpu = 0;   // CPU seconds of every thread of the process
};

// Receives the stream. Readers call record() in input order and meta() whenever they learn
// something about the store.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void record(Record&& r) = 0;
  virtual SnapshotMeta& meta() = 0;
  // Only etcd db files have these.
  virtual void history(const HistoryRecord&) {}
  virtual void lease(const LeaseRecord&) {}
  virtual void member(const MemberRecord&) {}
  // A part of the reading that comes before the records (an etcd db file's walk and sort).
  virtual void phase(ImportPhase) {}
};

}  // namespace kvsnap
