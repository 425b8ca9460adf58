#pragma once
// One reader per input format; each turns an Input into the record stream. The table that
// names them, sniffs them and dispatches is in formats.h.
#include <optional>
#include <string>

#include "etcd/record.h"
#include "io/input.h"

namespace kvsnap {

struct ReadOptions {
  // Simple/text dumps: a line starting with this begins a new key (default: derived from the
  // first key, up to its first '/').
  std::optional<std::string> key_prefix;
  // etcd db files:
  std::optional<int64_t> at_revision;  // rebuild the state at this revision instead of the latest
  bool skip_hash_check = false;        // import a snapshot whose SHA-256 trailer does not match
};

void read_etcd_json(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_etcd_simple(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_etcd_hex(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_etcd_fields(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_etcd_protobuf(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_cilium_json(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_cilium_text(Input& in, RecordSink& sink, const ReadOptions& opts);
void read_sysdump(Input& in, RecordSink& sink, const ReadOptions& opts);  // a .zip/.tar archive
void read_etcd_db(Input& in, RecordSink& sink, const ReadOptions& opts);  // bbolt + MVCC
void read_sysdump_dir(const std::string& dir, RecordSink& sink, const ReadOptions& opts);

}  // namespace kvsnap
