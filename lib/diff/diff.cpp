#include "diff/diff.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "store/embedded.h"
#include "store/sql_functions.h"
#include "util/align.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/sql_header.h"

namespace kvsnap {

namespace {

// The header of an entity file (util/sql_header.h).
constexpr SqlHeaderField kEntityHeader[] = {
    {"entity", true},  // its name, the same as the file's
    {"description", true},
    {"moved-by"},    // a field that identifies the same thing under another id
    {"label-sets"},  // space-separated: fields holding a Cilium label string
};

}  // namespace

std::vector<EntityDef> builtin_entities() {
  // Entity files in a fixed order: the decoded kinds first, raw keys last.
  static const char* kOrder[] = {"node", "identity", "identity_ref", "ipcache", "service", "cluster_config", "key"};
  std::vector<EntityDef> out;
  for (const char* name : kOrder) {
    std::string path = fmt::format("entities/{}.sql", name);
    std::string_view text = embedded_file(path);
    if (text.empty()) throw std::logic_error(fmt::format("{} is not embedded", path));
    std::string origin = "built-in " + path;
    SqlFile f = parse_sql_file(origin, text, kEntityHeader);
    if (f.value("entity") != name)
      throw InputError(origin, fmt::format("line {}", f.find("entity")->line),
                       fmt::format("the file of entity '{}' says '-- entity: {}'", name, f.value("entity")));
    EntityDef e;
    e.name = name;
    e.description = f.value("description");
    e.moved_by = f.value("moved-by");
    std::istringstream sets(f.value("label-sets"));
    for (std::string field; sets >> field;) e.label_sets.push_back(field);
    e.sql = std::move(f.body);
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

// Rows stay JSON text: most entities are equal, and equal text needs no parsing.
struct Row {
  std::string id, fields, meta, label;
};

boost::json::object parse_object(const std::string& s) {
  boost::system::error_code ec;
  auto v = boost::json::parse(s, ec);
  return (!ec && v.is_object()) ? std::move(v.as_object()) : boost::json::object();
}

// One snapshot's entities in id order, only those decoded from the keys in `ids`: streamed from
// the entity's statement on `conn` (the snapshot's database or one of its reader connections),
// one row at a time, or walked from rows read beforehand. With `metadata` the meta column too
// (:metadata = 1), else that column is NULL.
class EntityStream {
 public:
  EntityStream(Db& conn, int64_t snapshot, const EntityDef& e, const std::string& ids, bool metadata)
      : stmt_(conn.prepare(e.sql)) {
    stmt_->bind(sqlite3_bind_parameter_index(stmt_->get(), ":snapshot"), snapshot);
    stmt_->bind_text(sqlite3_bind_parameter_index(stmt_->get(), ":ids"), ids);
    stmt_->bind(sqlite3_bind_parameter_index(stmt_->get(), ":metadata"), int64_t(metadata));
    advance();
  }
  explicit EntityStream(std::vector<Row> rows) : rows_(std::move(rows)) { advance(); }
  bool done() const { return done_; }
  const Row& row() const { return row_; }
  void advance() {
    if (stmt_) {
      done_ = !stmt_->step();
      if (!done_)
        row_ = {stmt_->text(0), stmt_->text(1), stmt_->text(2), stmt_->is_null(3) ? std::string() : stmt_->text(3)};
    } else {
      done_ = next_ == rows_.size();
      if (!done_) row_ = std::move(rows_[next_++]);
    }
  }
  // The rest of the rows, read now.
  std::vector<Row> rest() {
    std::vector<Row> out;
    for (; !done_; advance()) out.push_back(std::move(row_));
    return out;
  }

 private:
  std::optional<Stmt> stmt_;
  std::vector<Row> rows_;
  size_t next_ = 0;
  Row row_;
  bool done_ = false;
};

// The labels of a Cilium label string as written ("k8s:a=b;k8s:c=d;" -> "k8s:a=b", "k8s:c=d").
boost::json::array label_elements(std::string_view labels) {
  boost::json::array out;
  size_t pos = 0;
  while (pos < labels.size()) {
    size_t end = labels.find(';', pos);
    if (end == std::string_view::npos) end = labels.size();
    if (end > pos) out.emplace_back(boost::json::string(labels.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

// The elements of `from` that `other` does not hold (as a multiset: an element twice in `from`
// and once in `other` is left once), in the order of `from`.
std::vector<boost::json::value> missing_from(const boost::json::array& from, const boost::json::array& other) {
  // Elements by their JSON text; a string (a backend, a label) by its bytes after a mark no JSON
  // text starts with, without serializing it.
  auto key = [](const boost::json::value& v) {
    if (!v.is_string()) return boost::json::serialize(v);
    std::string k = "\x01";
    k.append(v.get_string());
    return k;
  };
  std::unordered_map<std::string, int> count;
  for (const auto& v : other) ++count[key(v)];
  std::vector<boost::json::value> out;
  for (const auto& v : from) {
    int& n = count[key(v)];
    if (n > 0)
      --n;
    else
      out.push_back(v);
  }
  return out;
}

// The members of `from` that `other` lacks or holds with another value, each as {name: value}.
std::vector<boost::json::value> members_missing_from(const boost::json::object& from,
                                                     const boost::json::object& other) {
  std::vector<boost::json::value> out;
  for (const auto& kv : from) {
    const boost::json::value* o = other.if_contains(kv.key());
    if (!o || *o != kv.value()) out.push_back(boost::json::object{{kv.key(), kv.value()}});
  }
  return out;
}

// Fills added/removed of a changed field whose values are lists, sets or maps.
void fill_delta(FieldChange& f, bool label_set) {
  const boost::json::value &x = f.old_value, &y = f.new_value;
  if (x.is_array() && y.is_array()) {
    f.added = missing_from(y.get_array(), x.get_array());
    f.removed = missing_from(x.get_array(), y.get_array());
  } else if (label_set && x.is_string() && y.is_string()) {
    auto a = label_elements(x.get_string()), b = label_elements(y.get_string());
    f.added = missing_from(b, a);
    f.removed = missing_from(a, b);
  } else if (x.is_object() && y.is_object()) {
    f.added = members_missing_from(y.get_object(), x.get_object());
    f.removed = members_missing_from(x.get_object(), y.get_object());
  }
}

// The fields whose values differ between `a` and `b` (parsed from one entity's rows, consumed),
// in name order.
void compare(boost::json::object&& a, boost::json::object&& b, const char* prefix,
             const std::vector<std::string>& label_sets, std::vector<FieldChange>& out) {
  std::vector<std::string_view> names;
  for (const auto& kv : a) names.push_back(kv.key());
  for (const auto& kv : b) names.push_back(kv.key());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (std::string_view n : names) {
    boost::json::value* va = a.if_contains(n);
    boost::json::value* vb = b.if_contains(n);
    if (va && vb ? *va == *vb : !va ? (vb && vb->is_null()) : va->is_null()) continue;
    FieldChange f;
    f.field = prefix + std::string(n);
    if (va) f.old_value = std::move(*va);
    if (vb) f.new_value = std::move(*vb);
    fill_delta(f, std::find(label_sets.begin(), label_sets.end(), n) != label_sets.end());
    out.push_back(std::move(f));
  }
}

Change make_change(const EntityDef& e, const Row& r, const char* kind, std::vector<FieldChange> fields) {
  Change c;
  c.entity = e.name;
  c.id = r.id;
  c.change = kind;
  c.fields = std::move(fields);
  c.label = r.label;
  return c;
}

std::vector<FieldChange> all_fields(const Row& r, bool as_new, bool meta) {
  std::vector<FieldChange> out;
  auto add = [&](boost::json::object&& o, const char* prefix) {
    for (auto& kv : o) {
      FieldChange f;
      f.field = prefix + std::string(kv.key());
      (as_new ? f.new_value : f.old_value) = std::move(kv.value());
      out.push_back(std::move(f));
    }
  };
  add(parse_object(r.fields), "");
  if (meta) add(parse_object(r.meta), "meta.");
  return out;
}

}  // namespace

namespace {

// A snapshot's kv rows in key order. Its ids ascend with its keys when the input listed them in
// order (etcd does): then `ids` is that range of ids, read in table order. Otherwise SQLite sorts.
struct KeyOrder {
  const SnapshotRef* s;
  std::optional<std::pair<int64_t, int64_t>> ids;  // [first, end) when the ids are in key order
};

KeyOrder key_order(const SnapshotRef& s) {
  Stmt info = s.db->prepare("SELECT keys_in_order, first_kv_id, key_count FROM snapshot WHERE id = ?");
  info.bind(1, s.id);
  KeyOrder o{&s, std::nullopt};
  if (info.step() && info.int64(0) == 1 && !info.is_null(1)) o.ids = {info.int64(1), info.int64(1) + info.int64(2)};
  return o;
}

constexpr const char* kMergeColumns = "SELECT key, value, id, create_revision, mod_revision, version, lease FROM kv ";

Stmt rows_in_key_order(Db& db, const KeyOrder& o, std::pair<int64_t, int64_t> ids) {
  if (o.ids) {
    Stmt q = db.prepare(std::string(kMergeColumns) + "WHERE id >= ? AND id < ? ORDER BY id");
    q.bind(1, ids.first).bind(2, ids.second);
    return q;
  }
  Stmt q = db.prepare(std::string(kMergeColumns) + "WHERE snapshot_id = ? ORDER BY key");
  q.bind(1, o.s->id);
  return q;
}

// The differing ids of one side, as JSON array elements ("1,5,9").
struct Differing {
  std::string a, b;
};

// Appends a kv id to a side's list.
void add(std::string& ids, int64_t id) {
  if (!ids.empty()) ids += ',';
  ids += std::to_string(id);
}

// One merge pass over two streams in key order; it holds only the differing ids. Keys on one side
// only differ, as do keys whose values (or, with metadata, revisions or leases) differ.
Differing merge(Stmt& sa, Stmt& sb, bool metadata) {
  Differing d;
  bool ha = sa.step(), hb = sb.step();
  auto meta_differs = [&] {
    for (int c = 3; c <= 6; ++c)
      if (sa.is_null(c) != sb.is_null(c) || sa.int64(c) != sb.int64(c)) return true;
    return false;
  };
  while (ha || hb) {
    int cmp = !ha ? 1 : !hb ? -1 : sa.blob(0).compare(sb.blob(0));
    if (cmp < 0) {
      add(d.a, sa.int64(2));
      ha = sa.step();
    } else if (cmp > 0) {
      add(d.b, sb.int64(2));
      hb = sb.step();
    } else {
      if (sa.blob(1) != sb.blob(1) || (metadata && meta_differs())) {
        add(d.a, sa.int64(2));
        add(d.b, sb.int64(2));
      }
      ha = sa.step();
      hb = sb.step();
    }
  }
  return d;
}

// The first id of `ids` (a range in key order) whose key is not below `key`.
int64_t lower_bound_id(Db& db, std::pair<int64_t, int64_t> ids, std::string_view key) {
  Stmt q = db.prepare("SELECT key FROM kv WHERE id = ?");
  auto [lo, hi] = ids;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    q.bind(1, mid);
    bool below = q.step() && q.blob(0) < key;
    q.reset();
    if (below)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// A snapshot's row digests (kv_digest) in id order, read a chunk at a time; the chunks must cover
// its ids exactly, else at() throws DigestsIncomplete.
struct DigestsIncomplete {};

class DigestSeq {
 public:
  DigestSeq(Db& db, std::pair<int64_t, int64_t> ids)
      : q_(db.prepare("SELECT first_kv_id, digests FROM kv_digest WHERE first_kv_id >= ? AND first_kv_id < ? "
                      "ORDER BY first_kv_id")),
        first_(ids.first),
        n_(size_t(ids.second - ids.first)) {
    q_.bind(1, ids.first).bind(2, ids.second);
  }
  size_t size() const { return n_; }
  std::string_view at(size_t i) {
    if (i < at_start_ || i >= at_end_) find(i);
    return std::string_view(at_bytes_ + (i - at_start_) * kKvDigestBytes, kKvDigestBytes);
  }
  void release_before(size_t i) {
    while (chunks_.size() > 1 && chunks_.front().end <= i) chunks_.pop_front();
    at_start_ = at_end_ = 0;
  }

 private:
  void load() {
    size_t start = chunks_.empty() ? 0 : chunks_.back().end;
    if (!q_.step() || q_.int64(0) != first_ + int64_t(start)) throw DigestsIncomplete{};
    std::string_view bytes = q_.blob(1);
    size_t rows = bytes.size() / kKvDigestBytes;
    if (rows == 0 || bytes.size() % kKvDigestBytes != 0 || start + rows > n_) throw DigestsIncomplete{};
    chunks_.push_back({start, start + rows, std::string(bytes)});
  }
  // Points at_* at the chunk holding row i (at or after the first chunk kept).
  void find(size_t i) {
    while (chunks_.empty() || i >= chunks_.back().end) load();
    if (i < chunks_.front().start) throw std::logic_error("kv_digest row asked for after its release");
    auto c = chunks_.begin();
    while (c->end <= i) ++c;
    at_start_ = c->start, at_end_ = c->end, at_bytes_ = c->bytes.data();
  }
  struct Chunk {
    size_t start, end;  // row positions
    std::string bytes;
  };
  Stmt q_;
  int64_t first_;
  size_t n_;
  std::deque<Chunk> chunks_;
  size_t at_start_ = 0, at_end_ = 0;  // the rows of the chunk at() read last
  const char* at_bytes_ = nullptr;
};

// Read-ahead windows beyond this many rows a side leave the digests for the full merge: the
// windows' maps stay within a few tens of MiB.
constexpr size_t kMaxAlignWindow = size_t(1) << 18;

// The differing rows by the snapshots' digests, without reading keys or values: nullopt when the
// digests are incomplete or the snapshots differ in one stretch of more than kMaxAlignWindow keys.
std::optional<Differing> differing_by_digest(Db& da, std::pair<int64_t, int64_t> ia, Db& db,
                                             std::pair<int64_t, int64_t> ib) {
  DigestSeq a(da, ia), b(db, ib);
  Differing d;
  try {
    bool done = align_unmatched(
        a, b, kMaxAlignWindow, [&](size_t i) { add(d.a, ia.first + int64_t(i)); },
        [&](size_t j) { add(d.b, ib.first + int64_t(j)); });
    if (!done) return std::nullopt;
  } catch (const DigestsIncomplete&) {
    return std::nullopt;
  }
  return d;
}

// The keys whose bytes differ (or that exist on one side only), as JSON arrays of kv ids per side.
// Every entity is decoded from one key, so an entity can only differ where its key does. With
// both snapshots in key order and more than `split_above` keys in OLD (not negative), the key
// space is cut at the middle key of OLD: the lower half is merged here, the upper half on the
// snapshots' first reader connections on a second thread.
std::pair<std::string, std::string> differing_keys(const SnapshotRef& a, const SnapshotRef& b, bool metadata,
                                                   bool by_digest, int64_t split_above) {
  KeyOrder oa = key_order(a), ob = key_order(b);
  // Both in key order, compared by value alone: by their digests.
  if (by_digest && !metadata && oa.ids && ob.ids)
    if (auto d = differing_by_digest(*a.db, *oa.ids, *b.db, *ob.ids)) return {"[" + d->a + "]", "[" + d->b + "]"};
  if (split_above < 0 || !oa.ids || !ob.ids || oa.ids->second - oa.ids->first <= split_above) {
    Stmt sa = rows_in_key_order(*a.db, oa, oa.ids.value_or(std::pair<int64_t, int64_t>{})),
         sb = rows_in_key_order(*b.db, ob, ob.ids.value_or(std::pair<int64_t, int64_t>{}));
    Differing d = merge(sa, sb, metadata);
    return {"[" + d.a + "]", "[" + d.b + "]"};
  }
  auto [a0, a2] = *oa.ids;
  auto [b0, b2] = *ob.ids;
  int64_t a1 = a0 + (a2 - a0) / 2, b1 = 0;
  {
    Stmt k = a.db->prepare("SELECT key FROM kv WHERE id = ?");
    k.bind(1, a1);
    if (!k.step()) throw DbError(fmt::format("snapshot {}: no kv row {} inside its id range", a.id, a1));
    b1 = lower_bound_id(*b.db, *ob.ids, k.blob(0));
  }
  // Prepared here, run there: a connection is used by one thread at a time.
  Db &ra = a.db->reader(0), &rb = b.db->reader(0);
  Stmt ua = rows_in_key_order(ra, oa, {a1, a2}), ub = rows_in_key_order(rb, ob, {b1, b2});
  auto upper = std::async(std::launch::async, [&] { return merge(ua, ub, metadata); });
  Stmt la = rows_in_key_order(*a.db, oa, {a0, a1}), lb = rows_in_key_order(*b.db, ob, {b0, b1});
  Differing lo = merge(la, lb, metadata);
  Differing hi = upper.get();
  auto join = [](const std::string& x, const std::string& y) {
    return "[" + x + (x.empty() || y.empty() ? "" : ",") + y + "]";
  };
  return {join(lo.a, hi.a), join(lo.b, hi.b)};
}

constexpr std::ptrdiff_t kEntityThreadAbove = 1000;
// Above this many on a side, the rows read at once would hold tens of MiB: one thread streams them.
constexpr std::ptrdiff_t kEntityThreadMax = 50000;

struct EntityChanges {
  std::vector<Change> changes;  // by id
  ChangeCounts counts;
};

// One entity's changes: its OLD rows `a` against its NEW rows `b`, both in id order.
EntityChanges compare_entity(const EntityDef& e, EntityStream a, EntityStream b, bool metadata) {
  EntityChanges out;
  ChangeCounts& counts = out.counts;
  std::vector<Change> changes, added, removed;
  while (!a.done() || !b.done()) {
    int cmp = a.done() ? 1 : b.done() ? -1 : a.row().id.compare(b.row().id);
    if (cmp < 0) {
      removed.push_back(make_change(e, a.row(), "removed", all_fields(a.row(), false, metadata)));
      a.advance();
    } else if (cmp > 0) {
      added.push_back(make_change(e, b.row(), "added", all_fields(b.row(), true, metadata)));
      b.advance();
    } else {
      std::vector<FieldChange> f;
      if (a.row().fields != b.row().fields)
        compare(parse_object(a.row().fields), parse_object(b.row().fields), "", e.label_sets, f);
      if (metadata && a.row().meta != b.row().meta)
        compare(parse_object(a.row().meta), parse_object(b.row().meta), "meta.", {}, f);
      if (!f.empty()) changes.push_back(make_change(e, b.row(), "changed", std::move(f)));
      a.advance();
      b.advance();
    }
  }
  // The same thing under a new id (an identity whose label set was allocated again): one
  // "moved" change instead of a removal and an addition.
  if (!e.moved_by.empty()) {
    std::map<std::string, size_t> by_value;
    for (size_t i = 0; i < removed.size(); ++i)
      for (const auto& f : removed[i].fields)
        if (f.field == e.moved_by && f.old_value.is_string()) by_value[std::string(f.old_value.as_string())] = i;
    std::vector<bool> gone(removed.size(), false);
    std::vector<Change> still_added;
    for (auto& c : added) {
      std::string key;
      for (const auto& f : c.fields)
        if (f.field == e.moved_by && f.new_value.is_string()) key = std::string(f.new_value.as_string());
      auto it = by_value.find(key);
      if (key.empty() || it == by_value.end() || gone[it->second]) {
        still_added.push_back(std::move(c));
        continue;
      }
      gone[it->second] = true;
      Change m;
      m.entity = e.name;
      m.id = c.id;
      m.change = "moved";
      m.label = c.label;
      for (const auto& [field, from, to] :
           {std::tuple{std::string("id"), removed[it->second].id, c.id}, std::tuple{e.moved_by, key, key}}) {
        FieldChange f;
        f.field = field;
        f.old_value = boost::json::string(from);
        f.new_value = boost::json::string(to);
        m.fields.push_back(std::move(f));
      }
      changes.push_back(std::move(m));
    }
    std::vector<Change> still_removed;
    for (size_t i = 0; i < removed.size(); ++i)
      if (!gone[i]) still_removed.push_back(std::move(removed[i]));
    added = std::move(still_added);
    removed = std::move(still_removed);
  }
  for (auto& c : added) changes.push_back(std::move(c));
  for (auto& c : removed) changes.push_back(std::move(c));
  std::stable_sort(changes.begin(), changes.end(), [](const Change& x, const Change& y) { return x.id < y.id; });
  for (auto& c : changes) {
    if (c.change == "added")
      ++counts.added;
    else if (c.change == "removed")
      ++counts.removed;
    else if (c.change == "moved")
      ++counts.moved;
    else
      ++counts.changed;
  }
  out.changes = std::move(changes);
  return out;
}

// The entities on two threads, each with its own connections: the snapshots' main ones and their
// first reader connections. Reading one side's rows of an entity and comparing an entity's two
// sides are tasks that either thread takes when free, comparisons first, then reads in entity
// order: the two cores stay busy until the last comparison (the rows read and not yet compared
// stay within kEntityThreadMax differing keys a side).
std::vector<EntityChanges> diff_on_two_threads(const std::vector<const EntityDef*>& entities, const SnapshotRef& old_s,
                                               const SnapshotRef& new_s, const std::string& ids_old,
                                               const std::string& ids_new, bool metadata) {
  struct Job {
    const EntityDef* e;
    std::vector<Row> rows[2];  // OLD's, NEW's
    int read = 0;              // sides read
    bool compared = false;     // its comparison taken
    EntityChanges out;
  };
  std::vector<Job> jobs;
  for (const EntityDef* e : entities) jobs.push_back(Job{e, {}, 0, false, {}});
  std::mutex m;
  std::condition_variable cv;
  size_t next_read = 0, compared = 0;  // reads: job r / 2, side r % 2
  std::exception_ptr error;
  auto work = [&](Db& old_conn, Db& new_conn) {
    try {
      std::unique_lock lock(m);
      for (;;) {
        Job* compare = nullptr;
        size_t read = SIZE_MAX;
        cv.wait(lock, [&] {
          if (error) return true;
          for (auto& j : jobs)
            if (j.read == 2 && !j.compared) return (compare = &j), true;
          if (next_read < 2 * jobs.size()) return (read = next_read++), true;
          return compared == jobs.size();  // the other thread has the last comparison
        });
        if (error) return;
        if (compare) {
          compare->compared = true;
          ++compared;
          lock.unlock();
          compare->out = compare_entity(*compare->e, EntityStream(std::move(compare->rows[0])),
                                        EntityStream(std::move(compare->rows[1])), metadata);
          lock.lock();
          continue;
        }
        if (read == SIZE_MAX) return;
        Job& j = jobs[read / 2];
        bool side = read % 2;
        lock.unlock();
        std::vector<Row> rows = EntityStream(side ? new_conn : old_conn, side ? new_s.id : old_s.id, *j.e,
                                             side ? ids_new : ids_old, metadata)
                                    .rest();
        lock.lock();
        j.rows[side] = std::move(rows);
        ++j.read;
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard guard(m);
      if (!error) error = std::current_exception();
      cv.notify_all();
    }
  };
  Db &old_reader = old_s.db->reader(0), &new_reader = new_s.db->reader(0);
  register_sql_functions(old_reader);
  register_sql_functions(new_reader);
  auto other = std::async(std::launch::async, [&] { work(old_reader, new_reader); });
  work(*old_s.db, *new_s.db);
  other.get();
  if (error) std::rethrow_exception(error);
  std::vector<EntityChanges> out;
  for (auto& j : jobs) out.push_back(std::move(j.out));
  return out;
}

}  // namespace

DiffResult diff_snapshots(const SnapshotRef& old_s, const SnapshotRef& new_s, const DiffOptions& opts) {
  // Not a structured binding: the threads below capture them (clang).
  std::pair<std::string, std::string> ids =
      differing_keys(old_s, new_s, opts.include_metadata, opts.by_digest, opts.split_key_merge_above);
  const std::string &ids_old = ids.first, &ids_new = ids.second;
  std::vector<const EntityDef*> entities;
  const std::vector<EntityDef> all = builtin_entities();
  for (const auto& e : all)
    if (opts.entities.empty() || std::find(opts.entities.begin(), opts.entities.end(), e.name) != opts.entities.end())
      entities.push_back(&e);
  // Two threads when the snapshots' first reader connections are free and many keys differ
  // (below that, the connections cost more than the thread saves), but not too many (memory);
  // else one thread streams both sides, a row at a time.
  auto count = [](const std::string& ids) { return std::count(ids.begin(), ids.end(), ',') + 1; };
  std::vector<EntityChanges> per_entity;
  if (opts.split_key_merge_above >= 0 && std::max(count(ids_old), count(ids_new)) > kEntityThreadAbove &&
      count(ids_old) <= kEntityThreadMax && count(ids_new) <= kEntityThreadMax) {
    per_entity = diff_on_two_threads(entities, old_s, new_s, ids_old, ids_new, opts.include_metadata);
  } else {
    for (const EntityDef* e : entities)
      per_entity.push_back(compare_entity(*e, EntityStream(*old_s.db, old_s.id, *e, ids_old, opts.include_metadata),
                                          EntityStream(*new_s.db, new_s.id, *e, ids_new, opts.include_metadata),
                                          opts.include_metadata));
  }
  DiffResult out;
  for (size_t i = 0; i < entities.size(); ++i) {
    out.counts.emplace_back(entities[i]->name, per_entity[i].counts);
    for (auto& c : per_entity[i].changes) out.changes.push_back(std::move(c));
  }
  return out;
}

std::future<FindingDiff> start_diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s,
                                             const std::optional<CheckContext::Baseline>& baseline) {
  struct State {
    std::vector<CheckDef> single, history;  // history: the checks that compare NEW with OLD
    std::vector<CheckJob> jobs;
    bool baseline = false;
  };
  auto st = std::make_shared<State>();
  for (auto& c : builtin_checks())
    (std::count(c.requires_.begin(), c.requires_.end(), "baseline") ? st->history : st->single).push_back(std::move(c));
  // Several read-only connections with mmap, as kvcheck runs them, in one pool for the checks of
  // both snapshots and those comparing them.
  int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  auto context = [&](const SnapshotRef& s) {
    register_sql_functions(*s.db);
    return make_context(*s.db, s.id, ContextOverrides{});
  };
  st->jobs = {{old_s.db, &st->single, context(old_s)}, {new_s.db, &st->single, context(new_s)}};
  if (baseline) {  // NEW's context once more, with OLD to compare with
    CheckJob compare = st->jobs[1];
    compare.checks = &st->history;
    compare.ctx.baseline = baseline;
    st->jobs.push_back(std::move(compare));
    st->baseline = true;
  }
  // The pool reads through its own connections, opened here: the caller's thread keeps the main
  // connections for itself (kvdiff compares the keys meanwhile). A database without files has
  // only its main connection: its checks run now, before the caller goes on.
  auto run = [st, threads] {
    auto runs = run_check_jobs(st->jobs, threads);
    auto& a = runs[0].findings;
    auto& b = runs[1].findings;
    auto key = [](const Finding& f) {
      std::string k = f.check + "\n" + f.message;
      for (const auto& x : f.keys) k += "\n" + x;
      return k;
    };
    std::set<std::string> in_a, in_b;
    for (const auto& f : a) in_a.insert(key(f));
    for (const auto& f : b) in_b.insert(key(f));
    FindingDiff d;
    for (auto& f : b)
      if (!in_a.count(key(f))) d.added.push_back(f);
    for (auto& f : a)
      if (!in_b.count(key(f))) d.resolved.push_back(f);
    // What only the two snapshots together show (a lock unchanged in both, ...) is new in NEW.
    if (st->baseline) {
      for (auto& f : runs[2].findings) d.added.push_back(std::move(f));
      std::stable_sort(d.added.begin(), d.added.end(),
                       [](const Finding& x, const Finding& y) { return x.severity > y.severity; });
    }
    return d;
  };
  if (!check_jobs_use_readers(st->jobs, threads)) {
    std::promise<FindingDiff> done;
    done.set_value(run());
    return done.get_future();
  }
  for (const auto& job : st->jobs) job.db->open_readers(size_t(threads));
  return std::async(std::launch::async, run);
}

FindingDiff diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s,
                          const std::optional<CheckContext::Baseline>& baseline) {
  return start_diff_findings(old_s, new_s, baseline).get();
}

}  // namespace kvsnap
