#include <doctest/doctest.h>

#include <fmt/format.h>
#include <algorithm>
#include <functional>

#include "diff/diff.h"
#include "store/import_file.h"
#include "store/importer.h"
#include "store/schema.h"
#include "store/sql_functions.h"
#include "test_util.h"
#include "util/temp_file.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

// Snapshots 1 "before" and 2 "after": the two states of fixtures/diff/, in a new database.
void import_states(Db& db) {
  ensure_schema(db, ":memory:");
  ImportRequest before, after;
  before.name = "before";
  after.name = "after";
  import_path(db, fixture("diff/before.json"), before);
  import_path(db, fixture("diff/after.json"), after);
}

// The two states of fixtures/diff/ (one real etcd, before and after; its README lists the changes).
struct DiffFixture {
  Db db{":memory:", Db::Mode::Create};
  DiffResult result;
  DiffFixture() {
    import_states(db);
    register_sql_functions(db);
    result = diff_snapshots({&db, 1}, {&db, 2}, DiffOptions{});
  }
  const Change& change(const std::string& entity, const std::string& id) const {
    for (const auto& c : result.changes)
      if (c.entity == entity && c.id == id) return c;
    FAIL("no change of ", entity, " ", id);
    throw std::logic_error("unreachable");
  }
};

const FieldChange& field(const Change& c, const std::string& name) {
  for (const auto& f : c.fields)
    if (f.field == name) return f;
  FAIL("no field ", name, " in ", c.entity, " ", c.id);
  throw std::logic_error("unreachable");
}

std::vector<std::string> strings(const std::vector<boost::json::value>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v));
  return out;
}

// Snapshots 1 "old" and 2 "new" in a new in-memory database, of the keys and values that
// `records(0)` and `records(1)` give.
using KeyValues = std::vector<std::pair<std::string, std::string>>;
void import_old_new(Db& db, const std::function<KeyValues(int)>& records) {
  ensure_schema(db, ":memory:");
  db.exec("BEGIN");
  for (int snapshot = 0; snapshot < 2; ++snapshot) {
    Importer imp(db, snapshot ? "new" : "old", "test", "test", false);
    for (auto& [key, value] : records(snapshot)) {
      Record r;
      r.key = key;
      r.value = value;
      imp.record(std::move(r));
    }
    imp.finish();
  }
  db.exec("COMMIT");
  register_sql_functions(db);
}

}  // namespace

// Key order only makes the key merge cheap (ids ascending with the keys are read in table order;
// others are sorted): a merge out of order would flag more keys, never miss one.
TEST_CASE("kvdiff: a snapshot whose keys came out of order diffs as the same snapshot in order") {
  DiffFixture ordered;
  // The same two states, the newer one imported with its keys in reverse order.
  Db db{":memory:", Db::Mode::Create};
  import_states(db);
  {
    Importer imp(db, "reversed", "test", "test", false);
    Stmt rows = db.prepare(
        "SELECT key, value, create_revision, mod_revision, version, lease FROM kv WHERE snapshot_id = 2 ORDER BY key "
        "DESC");
    while (rows.step()) {
      Record r;
      r.key = rows.blob(0);
      r.value = rows.blob(1);
      r.create_revision = rows.int64(2);
      r.mod_revision = rows.int64(3);
      r.version = rows.int64(4);
      r.lease = rows.int64(5);
      imp.record(std::move(r));
    }
    imp.finish();
  }
  CHECK(db.query_int("SELECT keys_in_order FROM snapshot WHERE id = 3") == 0);
  register_sql_functions(db);
  DiffOptions with_meta;
  with_meta.include_metadata = true;
  for (const DiffOptions& o : {DiffOptions{}, with_meta}) {
    DiffResult expected = diff_snapshots({&ordered.db, 1}, {&ordered.db, 2}, o);
    DiffResult got = diff_snapshots({&db, 1}, {&db, 3}, o);
    REQUIRE(!expected.changes.empty());
    REQUIRE(got.changes.size() == expected.changes.size());
    for (size_t i = 0; i < got.changes.size(); ++i) {
      CHECK(got.changes[i].entity == expected.changes[i].entity);
      CHECK(got.changes[i].id == expected.changes[i].id);
      CHECK(got.changes[i].change == expected.changes[i].change);
    }
    CHECK(diff_snapshots({&db, 2}, {&db, 3}, o).changes.empty());
  }
}

// Two ways of diffing the same snapshots found the same changes (and some).
static void check_same_changes(const DiffResult& got, const DiffResult& want) {
  REQUIRE(!want.changes.empty());
  REQUIRE(got.changes.size() == want.changes.size());
  for (size_t i = 0; i < got.changes.size(); ++i) {
    CHECK(got.changes[i].id == want.changes[i].id);
    CHECK(got.changes[i].change == want.changes[i].change);
    CHECK(got.changes[i].fields.size() == want.changes[i].fields.size());
  }
}

TEST_CASE("kvdiff: rows compared by digest give what reading every key and value gives") {
  DiffFixture d;
  DiffOptions read_all;
  read_all.by_digest = false;
  for (const auto& order : {std::pair{1, 2}, std::pair{2, 1}}) {
    const int x = order.first, y = order.second;
    CAPTURE(x);
    DiffResult by_digest = diff_snapshots({&d.db, x}, {&d.db, y}, DiffOptions{}),
               by_bytes = diff_snapshots({&d.db, x}, {&d.db, y}, read_all);
    check_same_changes(by_digest, by_bytes);
  }
  // Every row has its digest, in id order: the chunks cover each snapshot's ids exactly.
  CHECK(d.db.query_int(
            "SELECT count(*) FROM snapshot s WHERE s.key_count <> "
            "(SELECT coalesce(sum(length(g.digests)), 0) / 12 FROM kv_digest g WHERE g.snapshot_id = s.id)") == 0);
  CHECK(d.db.query_int("SELECT count(*) FROM kv_digest g JOIN snapshot s ON s.id = g.snapshot_id "
                       "WHERE g.first_kv_id NOT BETWEEN s.first_kv_id AND s.first_kv_id + s.key_count - 1") == 0);
}

TEST_CASE("kvdiff: digests that do not cover a snapshot, or do not match its rows, never hide a change") {
  // Each damage to kv_digest (a missing chunk, a short one, one that starts elsewhere, digests
  // that belong to other rows) and each kv row edited by hand must give the changes that reading
  // every row gives: a fallback to the key merge, or rows compared that are then found equal.
  DiffFixture d;
  DiffOptions read_all;
  read_all.by_digest = false;
  auto digests = [&](int snapshot) {
    return d.db.query_int("SELECT count(*) FROM kv_digest WHERE snapshot_id = " + std::to_string(snapshot));
  };
  const int64_t digests1 = digests(1), digests2 = digests(2);
  REQUIRE(digests1 > 0);
  for (const char* damage : {
           "DELETE FROM kv_digest WHERE snapshot_id = 2",
           "UPDATE kv_digest SET digests = substr(digests, 1, 24) WHERE snapshot_id = 2",
           "UPDATE kv_digest SET digests = digests || zeroblob(12) WHERE snapshot_id = 2",
           "UPDATE kv_digest SET digests = substr(digests, 1, length(digests) - 5) WHERE snapshot_id = 2",
           "UPDATE kv_digest SET first_kv_id = first_kv_id + 1 WHERE snapshot_id = 2",
           "UPDATE kv_digest SET digests = zeroblob(length(digests)) WHERE snapshot_id = 2",
           // A row edited by hand (sqlite3): its snapshot's digests no longer match it.
           "UPDATE kv SET value = value || 'x' WHERE id = (SELECT max(id) FROM kv WHERE snapshot_id = 2)",
           "UPDATE kv SET key = key || 'x' WHERE id = (SELECT min(id) FROM kv WHERE snapshot_id = 2)",
           "DELETE FROM kv WHERE id = (SELECT min(id) + 3 FROM kv WHERE snapshot_id = 1)",
       }) {
    CAPTURE(std::string(damage));
    d.db.exec("SAVEPOINT damage");
    d.db.exec(damage);
    check_same_changes(diff_snapshots({&d.db, 1}, {&d.db, 2}, DiffOptions{}),
                       diff_snapshots({&d.db, 1}, {&d.db, 2}, read_all));
    // A row edited by hand drops its own snapshot's digests, not the other's.
    if (std::string_view(damage).starts_with("UPDATE kv ")) {
      CHECK(digests(1) == digests1);
      CHECK(digests(2) < digests2);
    } else if (std::string_view(damage).starts_with("DELETE FROM kv ")) {
      CHECK(digests(1) < digests1);
      CHECK(digests(2) == digests2);
    }
    d.db.exec("ROLLBACK TO damage; RELEASE damage");
  }
}

TEST_CASE("kvdiff: the key merge cut in two halves on two threads finds what one pass finds") {
  TempFile file("kvsnap-test");  // the reader connections open the file again: not :memory:
  Db db(file.path(), Db::Mode::Create);
  import_states(db);
  register_sql_functions(db);
  db.open_readers(1);
  DiffOptions split;
  split.split_key_merge_above = 0;
  split.by_digest = false;
  for (bool meta : {false, true}) {
    split.include_metadata = meta;
    DiffOptions whole;
    whole.include_metadata = meta;
    whole.by_digest = false;
    for (const auto& order : {std::pair{1, 2}, std::pair{2, 1}}) {
      const int x = order.first, y = order.second;  // not a structured binding: CAPTURE's lambda (clang)
      CAPTURE(meta);
      CAPTURE(x);
      check_same_changes(diff_snapshots({&db, x}, {&db, y}, split), diff_snapshots({&db, x}, {&db, y}, whole));
    }
  }
}

TEST_CASE("kvdiff: entities diffed on two threads give what one thread gives") {
  // More differing keys than the thousand above which a second thread works on the reader
  // connections, in several entities: each entity's sides are read and compared as tasks.
  TempFile file("kvsnap-test");  // the reader connection opens the file again: not :memory:
  Db db(file.path(), Db::Mode::Create);
  ensure_schema(db, file.path());
  db.exec("BEGIN");
  for (int snapshot = 0; snapshot < 2; ++snapshot) {
    Importer imp(db, snapshot ? "new" : "old", "test", "test", false);
    for (int k = 0; k < 1500; ++k) {
      Record r;
      r.key = fmt::format("cilium/state/ip/v1/default/10.1.{}.{}", k / 250, k % 250);
      r.value =
          fmt::format(R"({{"IP":"10.1.{}.{}","HostIP":"192.168.1.5","ID":{}}})", k / 250, k % 250, 1000 + k + snapshot);
      imp.record(std::move(r));
      if (k % 100 == 0) {
        Record id;
        id.key = fmt::format("cilium/state/identities/v1/id/{}", 1000 + k + snapshot);  // moved
        id.value = fmt::format("k8s:app=a{};", k);
        imp.record(std::move(id));
      }
    }
    Record hb;
    hb.key = "cilium/.heartbeat";
    hb.value = fmt::format("2025-03-10T08:1{}:00Z", snapshot);
    imp.record(std::move(hb));
    imp.finish();
  }
  db.exec("COMMIT");
  register_sql_functions(db);
  db.open_readers(1);
  DiffOptions threaded;
  threaded.split_key_merge_above = 0;
  DiffResult one = diff_snapshots({&db, 1}, {&db, 2}, DiffOptions{}),
             two = diff_snapshots({&db, 1}, {&db, 2}, threaded);
  CHECK(one.changes.size() == 1500 + 15 + 1);
  check_same_changes(two, one);
  REQUIRE(two.counts.size() == one.counts.size());
  for (size_t i = 0; i < one.counts.size(); ++i) {
    CHECK(two.counts[i].first == one.counts[i].first);
    CHECK(two.counts[i].second.moved == one.counts[i].second.moved);
    CHECK(two.counts[i].second.changed == one.counts[i].second.changed);
  }
  auto ip = std::find_if(two.changes.begin(), two.changes.end(), [](const Change& c) { return c.entity == "ipcache"; });
  REQUIRE(ip != two.changes.end());
  CHECK(ip->fields.front().field == "identity");
  CHECK(two.counts[1].first == "identity");
  CHECK(two.counts[1].second.moved == 15);
}

TEST_CASE("kvdiff: a changed list or label set carries what was added and removed inside it") {
  DiffFixture d;
  // One backend of the service replaced: the delta names just the two, the whole lists stay.
  const Change& svc = d.change("service", "default/default/api");
  CHECK(svc.change == "changed");
  REQUIRE(svc.fields.size() == 1);
  const FieldChange& backends = field(svc, "backends");
  CHECK(strings(backends.added) == std::vector<std::string>{"10.0.1.17 http TCP/8080"});
  CHECK(strings(backends.removed) == std::vector<std::string>{"10.0.1.16 http TCP/8080"});
  CHECK(backends.old_value.as_array().size() == 3);
  CHECK(backends.new_value.as_array().size() == 3);
  CHECK(svc.label == "frontends 172.20.24.160:80/TCP (http), 3 backend(s)");

  // An identity's label string is a set of labels.
  const Change& id = d.change("identity", "10028");
  CHECK(id.change == "changed");
  const FieldChange& labels = field(id, "labels");
  CHECK(strings(labels.added) == std::vector<std::string>{"k8s:version=v4"});
  CHECK(strings(labels.removed) == std::vector<std::string>{"k8s:version=v3"});
  CHECK(labels.new_value.is_string());
  CHECK(id.label == "namespace default, app=cache app.kubernetes.io/part-of=default version=v4");

  // A map (node labels): each new or different member as {name: value}.
  const Change& node = d.change("node", "default/worker-2");
  const FieldChange& node_labels = field(node, "labels");
  CHECK(strings(node_labels.added) == std::vector<std::string>{R"({"topology.kubernetes.io/zone":"zone-b"})"});
  CHECK(node_labels.removed.empty());
}

TEST_CASE("kvdiff: added and removed entities carry what identifies them") {
  DiffFixture d;
  const Change& ip = d.change("ipcache", "10.0.0.99");
  CHECK(ip.change == "added");
  CHECK(ip.label == "pod default/cache-xdwd2j4xtp-q9z4m, identity 10028, node worker-1 (192.168.1.5)");
  for (const auto& f : ip.fields) {
    CAPTURE(f.field);
    CHECK(f.added.empty());  // a whole new entity has no inner delta
    CHECK(f.old_value.is_null());
  }

  const Change& gone = d.change("node", "default/worker-4");
  CHECK(gone.change == "removed");
  CHECK(gone.label == "CiliumInternalIP 10.0.3.1, InternalIP 192.168.1.8, pod CIDRs 10.0.3.0/24");

  // Every change of this diff has a label.
  for (const auto& c : d.result.changes) {
    CAPTURE(c.entity);
    CAPTURE(c.id);
    CHECK(!c.label.empty());
  }
}

TEST_CASE("kvdiff: the key entity holds the keys no other entity decodes, and those that failed to decode") {
  Db db(":memory:", Db::Mode::Create);
  // Every value differs between the two snapshots.
  import_old_new(db, [](int snapshot) {
    return KeyValues{
        {"cilium/.heartbeat", snapshot ? "2025-03-10T08:16:00Z" : "2025-03-10T08:15:00Z"},
        {"cilium/state/identities/v1/id/1000", fmt::format("k8s:app=a{};", snapshot)},
        {"cilium/state/ip/v1/default/10.0.0.1", fmt::format(R"({{"IP":"10.0.0.1","ID":{}}})", 1000 + snapshot)},
        {"cilium/state/ip/v1/default/10.0.0.2", fmt::format("not json {}", snapshot)},  // a decode error
        {"cilium/state/nodes/v1/default/n1",
         fmt::format(R"({{"Name":"n1","Cluster":"default","ClusterID":{}}})", snapshot)},
        {"cilium/state/whatever/v9/x", fmt::format("{}", snapshot)},  // no layout
    };
  });
  DiffOptions key_only;
  key_only.entities = {"key"};
  DiffResult r = diff_snapshots({&db, 1}, {&db, 2}, key_only);
  std::vector<std::string> ids;
  for (const auto& c : r.changes) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"cilium/.heartbeat", "cilium/state/ip/v1/default/10.0.0.2",
                                        "cilium/state/whatever/v9/x"});
  // The others are the decoded entities' changes.
  DiffResult all = diff_snapshots({&db, 1}, {&db, 2}, DiffOptions{});
  std::vector<std::string> entities;
  for (const auto& c : all.changes) entities.push_back(c.entity + " " + c.id);
  CHECK(entities == std::vector<std::string>{"node default/n1", "identity 1000", "ipcache 10.0.0.1",
                                             "key cilium/.heartbeat", "key cilium/state/ip/v1/default/10.0.0.2",
                                             "key cilium/state/whatever/v9/x"});
}

TEST_CASE("kvdiff: backends that differ only after a NUL byte differ") {
  // A JSON string may hold U+0000; the backend's text keeps every byte after it (format()'s %s
  // would end the text there, and the two services would compare equal).
  Db db(":memory:", Db::Mode::Create);
  import_old_new(db, [](int snapshot) {
    return KeyValues{{"cilium/state/services/v1/c1/ns/s",
                      fmt::format(R"({{"cluster":"c1","namespace":"ns","name":"s",)"
                                  R"("frontends":{{"10.96.0.1":{{"fe\u0000{}":{{"Protocol":"TCP","Port":80}}}}}},)"
                                  R"("backends":{{"10.0.0.1":{{"http\u0000{}":{{"Protocol":"TCP","Port":80}}}}}}}})",
                                  snapshot ? "two" : "one", snapshot ? "two" : "one")}};
  });
  DiffResult r = diff_snapshots({&db, 1}, {&db, 2}, DiffOptions{});
  REQUIRE(r.changes.size() == 1);
  const Change& c = r.changes.front();
  CHECK(c.change == "changed");
  std::vector<std::string> fields;
  for (const auto& f : c.fields) fields.push_back(f.field);
  CHECK(fields == std::vector<std::string>{"backends", "frontends"});
  const FieldChange& b = field(c, "backends");
  CHECK(strings(b.added) == std::vector<std::string>{std::string("10.0.0.1 http\0two TCP/80", 24)});
  CHECK(strings(b.removed) == std::vector<std::string>{std::string("10.0.0.1 http\0one TCP/80", 24)});
}
