#pragma once
// The one record stream every reader produces and every consumer (the importer, the Cilium
// decoders) reads: an etcd key-value pair with whatever metadata its input carried.
#include <cstdint>
#include <optional>
#include <string>

namespace kvsnap {

struct Record {
  std::string key;    // raw bytes, exactly as etcd holds them
  std::string value;  // raw bytes; empty for keys-only dumps
  std::optional<int64_t> create_revision;
  std::optional<int64_t> mod_revision;
  std::optional<int64_t> version;
  std::optional<int64_t> lease;  // 0 when the input says "no lease", absent when it does not say
};

// What an input says about the store as a whole, where it says it.
struct SnapshotMeta {
  std::optional<int64_t> revision;
  std::optional<uint64_t> etcd_cluster_id;
  std::optional<uint64_t> etcd_member_id;
  std::optional<uint64_t> raft_term;
  std::optional<std::string> cluster_name;  // Cilium cluster (sysdump config map)
  std::optional<int64_t> cluster_id;
  std::optional<std::string> captured_at;  // RFC 3339, when the input names its capture time
  int64_t joined_lines = 0;                // simple/text formats: lines folded into the value before
  int64_t duplicate_records = 0;           // identical key+value seen again (concatenated pages)
  bool keys_only = false;
};

// Receives the stream. Readers call record() in input order and meta() whenever they learn
// something about the store.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void record(Record&& r) = 0;
  virtual SnapshotMeta& meta() = 0;
};

}  // namespace kvsnap
