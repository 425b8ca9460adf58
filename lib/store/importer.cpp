#include "store/importer.h"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <thread>

#include "cilium/layouts.h"
#include "io/limits.h"
#include "store/embedded.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/time.h"

namespace kvsnap {

namespace {
// Rows per kv_digest chunk: 48 KiB a chunk, a few pages.
constexpr size_t kDigestChunk = 4096;
}  // namespace

std::optional<int64_t> find_snapshot_by_name(Db& db, const std::string& name) {
  Stmt s = db.prepare("SELECT id FROM snapshot WHERE name = ?");
  s.bind_text(1, name);
  if (s.step()) return s.int64(0);
  return std::nullopt;
}

void delete_snapshot(Db& db, int64_t id) {
  // The database's only snapshot: each table is emptied whole. A DELETE without WHERE on a table
  // without triggers frees its pages and its indexes' without visiting a row; row by row, through
  // every index, 1M keys took 14 s. The triggers (kv's) go for that and come back from
  // schema.sql, all inside the caller's transaction.
  Stmt others = db.prepare("SELECT EXISTS (SELECT 1 FROM snapshot WHERE id <> ?)");
  others.bind(1, id);
  bool only = others.step() && others.int64(0) == 0;
  std::vector<std::string> tables;
  Stmt list = db.prepare(
      "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
      "WHERE m.type = 'table' AND c.name = 'snapshot_id'");
  while (list.step()) tables.push_back(list.text(0));
  if (only) {
    std::vector<std::string> triggers;
    Stmt t = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'");
    while (t.step()) triggers.push_back(t.text(0));
    for (const auto& name : triggers) db.exec(fmt::format("DROP TRIGGER \"{}\"", name));
    for (const auto& table : tables) db.exec(fmt::format("DELETE FROM \"{}\"", table));
    db.exec(embedded_file("schema.sql"));
  } else {
    for (const auto& table : tables)
      db.prepare(fmt::format("DELETE FROM \"{}\" WHERE snapshot_id = ?", table)).bind(1, id).run();
  }
  db.prepare("DELETE FROM snapshot WHERE id = ?").bind(1, id).run();
}

namespace {

// The CREATE INDEX statement of schema.sql that makes the index `name` (a bulk load drops no
// unique index: the text sets keep theirs).
std::string index_statement(std::string_view name) {
  std::string_view schema = embedded_file("schema.sql");
  size_t at = schema.find(fmt::format("CREATE INDEX IF NOT EXISTS {} ", name));
  size_t end = at == std::string_view::npos ? at : schema.find(';', at);
  if (end == std::string_view::npos) throw std::logic_error(fmt::format("schema.sql has no index {}", name));
  return std::string(schema.substr(at, end + 1 - at));
}

}  // namespace

Importer::Importer(Db& db, std::string name, std::string source, std::string format, bool replace) : db_(db) {
  if (auto existing = find_snapshot_by_name(db, name)) {
    if (!replace)
      throw InputError(source, "",
                       fmt::format("a snapshot named '{}' already exists in {} (use --replace, or -n to name "
                                   "this one differently)",
                                   name, db.path()));
    delete_snapshot(db, *existing);
  }
  // Into an empty database, load first and index after: building an index from sorted data is
  // several times faster than keeping it up to date row by row. Two kinds stay: kv's partial
  // indexes, which hold a few keys each (kept, they cost a WHERE per row; built after, a scan of
  // kv each), and the text sets' unique indexes (label_set_labels, port_set_ports), in which the
  // load looks strings up. All of it happens inside the caller's transaction.
  bulk_ = db.query_int("SELECT NOT EXISTS (SELECT 1 FROM kv)") == 1;
  if (bulk_) {
    std::vector<std::string> drop;
    Stmt idx = db.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND (tbl_name <> 'kv' OR name = 'kv_key_hash')");
    while (idx.step()) drop.push_back(idx.text(0));
    // Text sets keep their unique index: past its bound a string is looked up there.
    for (const TextSetSpec* t : kTextSets) std::erase(drop, std::string(t->index));
    for (const auto& n : drop) db.exec(fmt::format("DROP INDEX \"{}\"", n));
    dropped_indexes_ = std::move(drop);
  }
  summary_.name = std::move(name);
  summary_.source = std::move(source);
  summary_.format = std::move(format);
  Stmt s = db.prepare("INSERT INTO snapshot(name, source, format, imported_at) VALUES (?, ?, ?, ?)");
  s.bind_text(1, summary_.name).bind_text(2, summary_.source).bind_text(3, summary_.format).bind_text(4, now_rfc3339());
  s.run();
  summary_.snapshot_id = db.last_insert_rowid();
  insert_kv_ = db.prepare(
      "INSERT INTO kv(id, snapshot_id, key, value, create_revision, mod_revision, version, lease, layout_id, "
      "sub_revision, key_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_digest_ = db.prepare("INSERT INTO kv_digest(first_kv_id, snapshot_id, digests) VALUES (?, ?, ?)");
  find_kv_ = db.prepare("SELECT value FROM kv WHERE snapshot_id = ? AND key_hash = ? AND key = ?");
  // SQLite's bound on a string or blob is also its bound on a whole row.
  max_row_bytes_ = uint64_t(sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, -1));
  insert_error_ = db.prepare("INSERT INTO decode_error(snapshot_id, kv_id, layout, error) VALUES (?, ?, ?, ?)");
  insert_history_ = db.prepare(
      "INSERT INTO kv_revision(snapshot_id, key, main_revision, sub_revision, tombstone, create_revision, "
      "mod_revision, version, lease, value, key_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_lease_ = db.prepare("INSERT INTO lease(snapshot_id, id, id_hex, ttl, remaining_ttl) VALUES (?, ?, ?, ?, ?)");
  insert_member_ = db.prepare(
      "INSERT INTO member(snapshot_id, id_hex, name, peer_urls, client_urls, is_learner, removed) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  next_kv_id_ = db.query_int("SELECT coalesce(max(id), 0) + 1 FROM kv");
  writes_.start();
  load_clock_.restart();
  load_thread_cpu_ = thread_cpu_seconds();
}

Importer::~Importer() = default;

Stmt& Importer::statement(const TableSpec& t) {
  auto it = stmts_.find(&t);
  if (it != stmts_.end()) return it->second;
  writes_.sync();  // the connection is the thread's while it runs
  std::string cols = "snapshot_id, kv_id", params = "?, ?";
  for (const char* c : t.columns) {
    cols += fmt::format(", {}", c);
    params += ", ?";
  }
  auto [pos, _] = stmts_.emplace(&t, db_.prepare(fmt::format("INSERT INTO {}({}) VALUES ({})", t.name, cols, params)));
  return pos->second;
}

void Importer::insert(const TableSpec& t, std::initializer_list<SqlValue> values) {
  if (values.size() != t.columns.size())
    throw std::logic_error(fmt::format("{}: {} values for {} columns", t.name, values.size(), t.columns.size()));
  Stmt& s = statement(t);
  row_.assign({summary_.snapshot_id, kv_id_});
  row_.insert(row_.end(), values.begin(), values.end());
  writes_.run(s, row_);
  ++row_counts_[&t];
}

int64_t Importer::text_id(const TextSetSpec& spec, std::string_view text) {
  // Slave keys arrive sorted by key, so a node's keys of one label set follow each other: the
  // last string answers most calls, the map of this snapshot's strings the others. Past its
  // bound (memory stays flat) a string not in it is looked up in the table, after a sync.
  auto it = text_sets_.find(&spec);
  if (it == text_sets_.end()) {
    writes_.sync();  // the connection is the thread's while it runs
    TextSet t;
    t.find = db_.prepare(fmt::format("SELECT id FROM {} WHERE snapshot_id = ? AND {} = ?", spec.table, spec.column));
    t.insert =
        db_.prepare(fmt::format("INSERT INTO {}(id, snapshot_id, {}) VALUES (?, ?, ?)", spec.table, spec.column));
    t.next_id = db_.query_int(fmt::format("SELECT coalesce(max(id), 0) + 1 FROM {}", spec.table));
    it = text_sets_.emplace(&spec, std::move(t)).first;
  }
  TextSet& t = it->second;
  if (t.last_id != 0 && text == t.last) return t.last_id;
  int64_t id = 0;
  std::string key(text);
  if (auto found = t.ids.find(key); found != t.ids.end()) {
    id = found->second;
  } else if (!t.complete) {
    writes_.sync();
    t.find.bind(1, summary_.snapshot_id).bind_text_ref(2, text);
    id = t.find.step() ? t.find.int64(0) : 0;
    t.find.reset();
  }
  if (id == 0) {
    id = t.next_id++;
    writes_.run(t.insert, {id, summary_.snapshot_id, text});
    // A few MiB for a real cluster's label sets; a store with far more stays within this bound.
    constexpr size_t kTextBytes = size_t(64) << 20;
    if (t.complete && text_bytes_ + key.size() + 64 <= kTextBytes) {
      text_bytes_ += key.size() + 64;
      t.ids.emplace(std::move(key), id);
    } else {
      t.complete = false;
    }
  }
  t.last.assign(text);
  t.last_id = id;
  return id;
}

void Importer::check_size(std::string_view key, std::string_view value) const {
  // Room for the row's other columns and its record header.
  if (key.size() + value.size() + 4096 <= max_row_bytes_) return;
  throw RecordError(summary_.source, "",
                    value.size() >= key.size() ? value_too_big(key, value.size()) : key_too_big(key, key.size()));
}

void Importer::history(const HistoryRecord& h) {
  if (!keep_history_) return;
  check_size(h.key, h.value);
  writes_.run(insert_history_, {summary_.snapshot_id, SqlValue::blob(h.key), h.main_revision, h.sub_revision,
                                h.tombstone, h.create_revision, h.mod_revision, h.version, h.lease,
                                SqlValue::blob(h.value), int64_t(key_hash(h.key))});
  ++summary_.counts["kv_revision"];
}

void Importer::lease(const LeaseRecord& l) {
  std::string hex = fmt::format("{:x}", uint64_t(l.id));
  writes_.run(insert_lease_, {summary_.snapshot_id, l.id, hex, l.ttl, l.remaining_ttl});
  ++summary_.counts["lease"];
}

void Importer::member(const MemberRecord& m) {
  writes_.run(insert_member_,
              {summary_.snapshot_id, m.id_hex, m.name, m.peer_urls, m.client_urls, m.learner, m.removed});
  ++summary_.counts["member"];
}

void Importer::phase(ImportPhase p) {
  summary_.timings.push_back(std::move(p));
  load_clock_.restart();
  load_thread_cpu_ = thread_cpu_seconds();
}

void Importer::record(Record&& r) {
  check_size(r.key, r.value);
  KeyParts parts;
  const KeyLayout* layout = classify_key(r.key, parts);
  int32_t hash = key_hash(r.key);
  if (already_imported(r.key, hash, r.value)) {
    ++summary_.meta.duplicate_records;
    return;
  }
  kv_id_ = next_kv_id_++;
  writes_.run(insert_kv_, {kv_id_, summary_.snapshot_id, SqlValue::blob(r.key), SqlValue::blob(r.value),
                           r.create_revision, r.mod_revision, r.version, r.lease,
                           layout ? SqlValue(layout_id(*layout)) : SqlValue(), r.sub_revision, int64_t(hash)});
  if (summary_.keys == 0) first_kv_id_ = kv_id_;
  if (digests_.empty()) digest_first_id_ = kv_id_;
  append_kv_digest(r.key, r.value, digests_);
  if (digests_.size() >= kDigestChunk * kKvDigestBytes) flush_digests();
  ++summary_.keys;
  if (r.key.starts_with("cilium/")) ++summary_.cilium_keys;
  if (layout) {
    try {
      // Decoders parse the whole value (a JSON document each): beyond what Cilium ever writes,
      // the value is kept but not decoded, which bounds the decoders' memory.
      if (r.value.size() > kMaxDecodeBytes)
        throw DecodeError(
            fmt::format("a value of {} is not decoded: kvsnap decodes values up to {} (Cilium writes a "
                        "few KB); it is kept in kv",
                        human_bytes(r.value.size()), human_bytes(kMaxDecodeBytes)));
      layout->decode(r, parts, *this);
    } catch (const DecodeError& e) {
      writes_.run(insert_error_, {summary_.snapshot_id, kv_id_, layout->name, std::string_view(e.what())});
      ++summary_.decode_errors;
    }
  }
  if (progress_ && (summary_.keys & 0x3FFF) == 0) progress_(summary_.keys);
}

int64_t Importer::layout_id(const KeyLayout& layout) {
  auto it = layout_ids_.find(&layout);
  if (it != layout_ids_.end()) return it->second;
  writes_.sync();
  Stmt find = db_.prepare("SELECT id FROM key_layout WHERE name = ?");
  find.bind_text(1, std::string_view(layout.name));
  int64_t id = 0;
  if (find.step()) {
    id = find.int64(0);
  } else {
    Stmt add = db_.prepare("INSERT INTO key_layout(name, pattern, tables) VALUES (?, ?, ?)");
    add.bind_text(1, std::string_view(layout.name)).bind_text(2, std::string_view(layout.pattern));
    add.bind_text(3, std::string_view(layout.tables)).run();
    id = db_.last_insert_rowid();
  }
  return layout_ids_[&layout] = id;
}

// The same bytes again lose nothing; different bytes cannot both be kept.
void Importer::same_value_or_throw(std::string_view key, std::string_view stored, std::string_view value) const {
  if (stored != value)
    throw RecordError(summary_.source, "",
                      fmt::format("key {} appears twice with different values (overlapping dumps of different times?)",
                                  quote_bytes(key)));
}

bool Importer::already_imported(std::string_view key, int32_t hash, std::string_view value) {
  if (keys_in_order_) {
    if (summary_.keys == 0 || key > std::string_view(last_key_)) {
      last_key_.assign(key);
      return false;
    }
    if (key == std::string_view(last_key_)) {
      // The key just imported, again (the first key of the next of two overlapping pages): the
      // order holds, and its row is the last one inserted.
      writes_.sync();
      Stmt last = db_.prepare("SELECT value FROM kv WHERE id = ?");
      last.bind(1, kv_id_);
      if (!last.step()) throw std::logic_error("the last imported kv row is gone");
      same_value_or_throw(key, last.blob(0), value);
      return true;
    }
    // Out of order (concatenated pages, a sorted dump of another order): from here on every key is
    // looked up by its hash. A bulk load dropped that index; it is built now for the rows so far.
    // Each key is read back from here on: the statements run at once again.
    writes_.stop();
    keys_in_order_ = false;
    last_key_.clear();
    last_key_.shrink_to_fit();
    if (bulk_) db_.exec(index_statement("kv_key_hash"));
  }
  find_kv_.bind(1, summary_.snapshot_id).bind(2, int64_t(hash)).bind_blob(3, key);
  bool found = find_kv_.step();
  std::string stored = found ? std::string(find_kv_.blob(0)) : std::string();
  find_kv_.reset();
  if (found) same_value_or_throw(key, stored, value);
  return found;
}

void Importer::flush_digests() {
  if (digests_.empty()) return;
  writes_.run(insert_digest_, {digest_first_id_, summary_.snapshot_id, SqlValue::blob(digests_)});
  digests_.clear();
}

ImportSummary Importer::finish() {
  flush_digests();
  writes_.stop();
  if (start_writeback_) db_.start_writeback();  // written while the indexes are built
  double reader_cpu = thread_cpu_seconds() - load_thread_cpu_;
  ImportPhase load{"read, decode and insert the keys", load_clock_.wall(), load_clock_.cpu()};
  summary_.timings.push_back(load);
  if (const WriteQueue::Stats& w = writes_.stats(); w.threaded) {
    // Busy time: the wall time each of the two threads did not wait for the other.
    summary_.timings.push_back({"- reader: parse and decode (busy)", load.wall - w.caller_wait, reader_cpu});
    summary_.timings.push_back({"- writer: SQLite inserts (busy)", w.thread_wall - w.thread_idle, w.thread_cpu});
  }
  if (bulk_) {
    // Re-create the indexes dropped above. Each build is a sort of one record per row; given
    // 32 MiB, SQLite's sorter sorts a million records as one linked list, and the merge passes
    // then wait on cache misses. With 2 MiB it sorts runs that stay in cache, on worker threads
    // (one per core), and merges them: 1M keys, 2.9 -> 2.0 s for all of them.
    int64_t cache_size = db_.query_int("PRAGMA cache_size");
    db_.exec(fmt::format("PRAGMA threads = {}; PRAGMA cache_size = -2048",
                         std::min(8u, std::max(1u, std::thread::hardware_concurrency()))));
    for (const auto& name : dropped_indexes_) {
      Stopwatch clock;
      db_.exec(index_statement(name));
      summary_.timings.push_back({fmt::format("build index {}", name), clock.wall(), clock.cpu()});
    }
    db_.exec(embedded_file("schema.sql"));  // the rest is there already: a no-op
    db_.exec(fmt::format("PRAGMA threads = 0; PRAGMA cache_size = {}", cache_size));
    Stopwatch clock;
    // Statistics for the query planner (sampled: a fraction of a second on a million keys).
    // Sampling sees ~400 rows per index, so it takes snapshot_id = ? for ~400 rows; this is the
    // database's only snapshot, which every row belongs to. Told that, the planner scans a
    // snapshot's table in order instead of walking it through an index row by row (5x slower
    // for the checks that read every ipcache entry).
    db_.exec(
        "PRAGMA analysis_limit = 400; ANALYZE;"
        "UPDATE sqlite_stat1 SET stat = substr(stat, 1, instr(stat, ' ') - 1) || ' ' || "
        "  substr(stat, 1, instr(stat, ' ') - 1) || "
        "  substr(substr(stat, instr(stat, ' ') + 1), instr(substr(stat, instr(stat, ' ') + 1) || ' ', ' ')) "
        "WHERE instr(stat, ' ') > 0 AND idx IN (SELECT s.name FROM sqlite_schema s, pragma_index_info(s.name) c "
        "  WHERE s.type = 'index' AND c.seqno = 0 AND c.name = 'snapshot_id');"
        "ANALYZE sqlite_schema;");
    summary_.timings.push_back({"planner statistics (ANALYZE)", clock.wall(), clock.cpu()});
  }
  if (summary_.meta.keys_only) {
    // A --keys-only dump has no values to decode: the errors its empty values caused say nothing
    // about the kvstore. Key-shape errors (and layouts decoded from the key alone) stay.
    Stmt del = db_.prepare(
        "DELETE FROM decode_error WHERE snapshot_id = ?1 AND kv_id IN "
        "(SELECT id FROM kv WHERE snapshot_id = ?1 AND length(value) = 0)");
    del.bind(1, summary_.snapshot_id).run();
    int64_t dropped = sqlite3_changes(db_.get());
    summary_.decode_errors -= dropped;
    summary_.undecoded_values = dropped;
  }
  for (const auto& [table, n] : row_counts_) summary_.counts[table->name] += n;
  const SnapshotMeta& m = summary_.meta;
  Stmt s = db_.prepare(
      "UPDATE snapshot SET format = ?, compression = ?, captured_at = ?, revision = ?, etcd_cluster_id = ?, "
      "etcd_member_id = ?, raft_term = ?, cluster_name = ?, cluster_id = ?, key_count = ?, keys_only = ?, "
      "joined_lines = ?, duplicate_records = ?, compact_revision = ?, scheduled_compact_revision = ?, "
      "consistent_index = ?, storage_version = ?, cluster_version = ?, trailer = ?, at_revision = ?, "
      "history_records = ?, warnings = ?, file_mtime = ?, history_kept = ?, cilium_key_count = ?, first_kv_id = ?, "
      "keys_in_order = ? WHERE id = ?");
  auto u64 = [](const std::optional<uint64_t>& v) {
    return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
  };
  s.bind_text(1, summary_.format);
  s.bind_text(2, summary_.compression.empty() ? std::nullopt : std::optional<std::string>(summary_.compression));
  s.bind_text(3, m.captured_at).bind(4, m.revision).bind_text(5, u64(m.etcd_cluster_id));
  s.bind_text(6, u64(m.etcd_member_id));
  s.bind(7, m.raft_term ? std::optional<int64_t>(int64_t(*m.raft_term)) : std::nullopt);
  s.bind_text(8, m.cluster_name).bind(9, m.cluster_id).bind(10, summary_.keys).bind(11, int64_t(m.keys_only));
  s.bind(12, m.joined_lines).bind(13, m.duplicate_records).bind(14, m.compact_revision);
  s.bind(15, m.scheduled_compact_revision);
  s.bind(16, m.consistent_index ? std::optional<int64_t>(int64_t(*m.consistent_index)) : std::nullopt);
  s.bind_text(17, m.storage_version).bind_text(18, m.cluster_version).bind_text(19, m.trailer);
  s.bind(20, m.at_revision);
  s.bind(21, m.trailer ? std::optional<int64_t>(m.history_records) : std::nullopt);
  boost::json::array warnings;
  for (const auto& w : m.warnings) warnings.emplace_back(w);
  s.bind_text(22, m.warnings.empty() ? std::nullopt : std::optional<std::string>(boost::json::serialize(warnings)));
  s.bind_text(23, m.file_mtime);
  summary_.history_kept = m.trailer && keep_history_;
  s.bind(24, m.trailer ? std::optional<int64_t>(keep_history_) : std::nullopt);
  s.bind(25, summary_.cilium_keys);
  s.bind(26, summary_.keys ? std::optional<int64_t>(first_kv_id_) : std::nullopt);
  s.bind(27, int64_t(keys_in_order_)).bind(28, summary_.snapshot_id);
  s.run();
  return summary_;
}

}  // namespace kvsnap
