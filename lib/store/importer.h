#pragma once
// Writes one snapshot: the raw kv rows and, through the Cilium layout decoders, the decoded
// tables. The caller owns the transaction (a failed import rolls back to the previous state).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "cilium/rows.h"
#include "etcd/record.h"
#include "store/db.h"
#include "store/write_queue.h"
#include "util/time.h"

namespace kvsnap {

struct KeyLayout;

// Deletes a snapshot's rows from every table that has a snapshot_id column, then the snapshot.
void delete_snapshot(Db& db, int64_t snapshot_id);
std::optional<int64_t> find_snapshot_by_name(Db& db, const std::string& name);

struct ImportSummary {
  int64_t snapshot_id = 0;
  std::string name, format, source, compression;
  int64_t keys = 0;
  int64_t cilium_keys = 0;  // keys under cilium/
  int64_t decode_errors = 0;
  int64_t undecoded_values = 0;           // keys-only dumps: keys whose layout needs the value
  std::map<std::string, int64_t> counts;  // rows per decoded table
  bool history_kept = false;              // etcd db files: kv_history holds every revision
  SnapshotMeta meta;
  // Where the import's time went, in order (kvimport --timings).
  std::vector<ImportPhase> timings;
};

class Importer : public RecordSink, private RowWriter {
 public:
  // Inserts the snapshot row. Throws InputError when the name exists (unless replace).
  Importer(Db& db, std::string name, std::string source, std::string format, bool replace);
  ~Importer() override;

  void record(Record&& r) override;
  void history(const HistoryRecord& h) override;
  void lease(const LeaseRecord& l) override;
  void member(const MemberRecord& m) override;
  void phase(ImportPhase p) override;
  void set_keep_history(bool keep) { keep_history_ = keep; }
  // finish() starts writing the file to disk once the rows are in (Db::start_writeback).
  void set_start_writeback(bool start) { start_writeback_ = start; }
  SnapshotMeta& meta() override { return summary_.meta; }
  void set_compression(std::string c) { summary_.compression = std::move(c); }
  // Called every few thousand records with the number imported so far.
  void on_progress(std::function<void(int64_t)> fn) { progress_ = std::move(fn); }
  ImportSummary finish();
  // For a caller whose reading failed: runs what is queued, so that a write that failed first (a
  // full disk) is the error reported, as it would be without the queue. Throws that error.
  void flush_before_error() { writes_.sync(); }

 private:
  void insert(const TableSpec& table, std::initializer_list<SqlValue> values) override;
  int64_t text_id(const TextSetSpec& set, std::string_view text) override;
  // RecordError when a row of this key and value is more than SQLite stores.
  void check_size(std::string_view key, std::string_view value) const;
  Stmt& statement(const TableSpec& table);
  // Whether the snapshot already holds this key: false without a look while keys arrive in
  // ascending order. Throws when it holds the key with another value.
  bool already_imported(std::string_view key, int32_t hash, std::string_view value);
  void same_value_or_throw(std::string_view key, std::string_view stored, std::string_view value) const;
  // Writes the kv_digest chunk of the rows since digest_first_id_.
  void flush_digests();
  // key_layout.id of a layout, added to that table on its first use in the database.
  int64_t layout_id(const KeyLayout& layout);

  Db& db_;
  ImportSummary summary_;
  Stmt insert_kv_, insert_digest_, find_kv_, insert_error_, insert_history_, insert_lease_, insert_member_;
  // One text set's strings of this snapshot (rows.h), from its first use.
  struct TextSet {
    Stmt find, insert;
    int64_t next_id = 1;  // rows get their ids here, not from SQLite, so that inserts can be queued
    // The last string and its id: consecutive keys (a label set's slave keys) share it.
    std::string last;
    int64_t last_id = 0;
    // Every string of the set and its id while all sets' maps hold at most kTextBytes; beyond
    // that, strings not held here are looked up in the table (complete false).
    std::unordered_map<std::string, int64_t> ids;
    bool complete = true;
  };
  std::unordered_map<const TextSetSpec*, TextSet> text_sets_;
  size_t text_bytes_ = 0;
  // Rows get their ids here, not from SQLite, so that their inserts can be queued.
  int64_t next_kv_id_ = 1;
  std::vector<SqlValue> row_;  // the values of one decoded row
  bool keep_history_ = true;
  bool start_writeback_ = false;
  std::unordered_map<const TableSpec*, Stmt> stmts_;
  std::unordered_map<const TableSpec*, int64_t> row_counts_;
  std::unordered_map<const KeyLayout*, int64_t> layout_ids_;
  int64_t kv_id_ = 0, first_kv_id_ = 0;
  std::string digests_;  // the kv_digest bytes of the rows from id digest_first_id_ on, not yet written
  int64_t digest_first_id_ = 0;
  std::string last_key_;       // the previous key, while keys arrive in ascending order
  bool keys_in_order_ = true;  // every key so far greater than the one before
  uint64_t max_row_bytes_ = 0;
  bool bulk_ = false;
  std::vector<std::string> dropped_indexes_;  // a bulk load's, built again by finish()
  // The load: from the end of the reader's own phases (or the constructor) to finish().
  Stopwatch load_clock_;
  double load_thread_cpu_ = 0;  // this thread's CPU seconds when it started
  std::function<void(int64_t)> progress_;
  // Last, so that it ends its thread before the statements it runs are finalized.
  WriteQueue writes_;
};

}  // namespace kvsnap
