#pragma once
// One reader per input format; each turns an Input into the record stream. The table that
// names them, sniffs them and dispatches is in formats.h.
#include <cstddef>
#include <optional>
#include <string>

#include "etcd/record.h"
#include "io/input.h"

namespace kvsnap {

// 3 Mi records (96 MiB): a 2M-key Cilium snapshot's key bucket still sorts in memory alone.
inline constexpr size_t kSortRunRecords = size_t(3) << 20;

struct ReadOptions {
  // Simple/text dumps: a line starting with this begins a new key (default: derived from the
  // first key, up to its first '/').
  std::optional<std::string> key_prefix;
  // etcd db files:
  std::optional<int64_t> at_revision;  // rebuild the state at this revision instead of the latest
  bool skip_hash_check = false;        // import a snapshot whose SHA-256 trailer does not match
  // The key bucket's records sorted in memory at most (32 bytes each); beyond, sorted runs of this
  // many go to a temporary file and are merged: the import's memory stays flat for any file.
  size_t sort_run_records = kSortRunRecords;
};

// A get response's own account of its kvs: more than `count` in the range is impossible, fewer
// without `more` means the dump lost some (InputError at `where`); `more` means the output was cut
// by --limit, which becomes a warning on the snapshot when it is the last response (pages fetched
// by hand, --limit then --from-key, are complete when the last one has no more).
void check_count(Input& in, RecordSink& sink, int64_t kvs, uint64_t count, bool more, const std::string& where,
                 bool last = true);

// Hands a record to the sink; when the sink cannot keep it (RecordError: too big for SQLite, a
// key twice with different values) the error names the input and where(), the record's place.
template <class Where>
void emit(Input& in, RecordSink& sink, Record&& r, Where&& where) {
  try {
    sink.record(std::move(r));
  } catch (const RecordError& e) {
    throw InputError(in.name(), where(), e.what());
  }
}

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
