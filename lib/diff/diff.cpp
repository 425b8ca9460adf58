#include "diff/diff.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "store/embedded.h"
#include "store/sql_functions.h"
#include "util/error.h"

namespace kvsnap {

std::vector<EntityDef> builtin_entities() {
  // Entity files in a fixed order: the decoded kinds first, raw keys last.
  static const char* kOrder[] = {"node", "identity", "identity_ref", "ipcache", "service", "cluster_config", "key"};
  std::vector<EntityDef> out;
  for (const char* name : kOrder) {
    std::string_view text = embedded_file(fmt::format("entities/{}.sql", name));
    if (text.empty()) throw std::logic_error(fmt::format("entities/{}.sql is not embedded", name));
    EntityDef e;
    e.name = name;
    size_t pos = 0;
    while (pos < text.size() && text.substr(pos, 2) == "--") {
      size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos + 2, nl - pos - 2);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      if (line.rfind("description:", 0) == 0) e.description = std::string(line.substr(13));
      if (line.rfind("moved-by:", 0) == 0) e.moved_by = std::string(line.substr(10));
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    e.sql = std::string(text.substr(pos));
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

struct Row {
  std::string id;
  boost::json::object fields, meta;
};

// Streams one snapshot's entities in id order.
class EntityStream {
 public:
  EntityStream(const SnapshotRef& s, const EntityDef& e) : stmt_(s.db->prepare(e.sql)) {
    stmt_.bind(sqlite3_bind_parameter_index(stmt_.get(), ":snapshot"), s.id);
    advance();
  }
  bool done() const { return done_; }
  const Row& row() const { return row_; }
  void advance() {
    done_ = !stmt_.step();
    if (done_) return;
    row_.id = stmt_.text(0);
    row_.fields = parse(stmt_.text(1));
    row_.meta = parse(stmt_.text(2));
  }

 private:
  static boost::json::object parse(const std::string& s) {
    boost::system::error_code ec;
    auto v = boost::json::parse(s, ec);
    return (!ec && v.is_object()) ? std::move(v.as_object()) : boost::json::object();
  }
  Stmt stmt_;
  Row row_;
  bool done_ = false;
};

void compare(const boost::json::object& a, const boost::json::object& b, const char* prefix, std::vector<FieldChange>& out) {
  std::set<std::string> names;
  for (const auto& kv : a) names.insert(std::string(kv.key()));
  for (const auto& kv : b) names.insert(std::string(kv.key()));
  for (const auto& n : names) {
    const boost::json::value* va = a.if_contains(n);
    const boost::json::value* vb = b.if_contains(n);
    boost::json::value x = va ? *va : nullptr, y = vb ? *vb : nullptr;
    if (x != y) out.push_back({prefix + n, std::move(x), std::move(y)});
  }
}

std::vector<FieldChange> all_fields(const Row& r, bool as_new, bool meta) {
  std::vector<FieldChange> out;
  auto add = [&](const boost::json::object& o, const char* prefix) {
    for (const auto& kv : o) {
      FieldChange f{prefix + std::string(kv.key()), nullptr, nullptr};
      (as_new ? f.new_value : f.old_value) = kv.value();
      out.push_back(std::move(f));
    }
  };
  add(r.fields, "");
  if (meta) add(r.meta, "meta.");
  return out;
}

}  // namespace

DiffResult diff_snapshots(const SnapshotRef& old_s, const SnapshotRef& new_s, const DiffOptions& opts) {
  DiffResult out;
  for (const auto& e : builtin_entities()) {
    if (!opts.entities.empty() && std::find(opts.entities.begin(), opts.entities.end(), e.name) == opts.entities.end())
      continue;
    out.counts.emplace_back(e.name, ChangeCounts{});
    ChangeCounts& counts = out.counts.back().second;
    EntityStream a(old_s, e), b(new_s, e);
    std::vector<Change> changes, added, removed;
    while (!a.done() || !b.done()) {
      int cmp = a.done() ? 1 : b.done() ? -1 : a.row().id.compare(b.row().id);
      if (cmp < 0) {
        removed.push_back({e.name, a.row().id, "removed", all_fields(a.row(), false, opts.include_metadata)});
        a.advance();
      } else if (cmp > 0) {
        added.push_back({e.name, b.row().id, "added", all_fields(b.row(), true, opts.include_metadata)});
        b.advance();
      } else {
        std::vector<FieldChange> f;
        compare(a.row().fields, b.row().fields, "", f);
        if (opts.include_metadata) compare(a.row().meta, b.row().meta, "meta.", f);
        if (!f.empty()) changes.push_back({e.name, a.row().id, "changed", std::move(f)});
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
        Change m{e.name, c.id, "moved", {}};
        m.fields.push_back({"id", boost::json::string(removed[it->second].id), boost::json::string(c.id)});
        m.fields.push_back({e.moved_by, boost::json::string(key), boost::json::string(key)});
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
      if (c.change == "added") ++counts.added;
      else if (c.change == "removed") ++counts.removed;
      else if (c.change == "moved") ++counts.moved;
      else ++counts.changed;
      out.changes.push_back(std::move(c));
    }
  }
  return out;
}

FindingDiff diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s) {
  auto checks = builtin_checks();
  auto run = [&](const SnapshotRef& s) {
    register_sql_functions(*s.db);
    return run_checks(*s.db, checks, make_context(*s.db, s.id, ContextOverrides{}), 1).findings;
  };
  auto a = run(old_s), b = run(new_s);
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
  return d;
}

}  // namespace kvsnap
