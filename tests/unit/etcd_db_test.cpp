#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "etcd/mvcc.h"
#include "test_util.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream f(fixture(rel), std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Full records and side data of an etcd db, read from bytes in memory.
struct DbSink : CollectSink {
  std::vector<std::tuple<std::string, int64_t, int64_t, bool>> revisions;  // key, main, sub, tombstone
  std::vector<LeaseRecord> leases;
  std::vector<MemberRecord> members;
  void history(const HistoryRecord& h) override {
    revisions.emplace_back(std::string(h.key), h.main_revision, h.sub_revision, h.tombstone);
  }
  void lease(const LeaseRecord& l) override { leases.push_back(l); }
  void member(const MemberRecord& m) override { members.push_back(m); }
};

DbSink read_db(const std::string& bytes, ReadOptions opts = {}) {
  auto in = make_input_from_string("test.db", bytes);
  DbSink sink;
  read_etcd_db(*in, sink, opts);
  return sink;
}

std::string import_error(const std::string& bytes, ReadOptions opts = {}) {
  try {
    read_db(bytes, opts);
  } catch (const InputError& e) {
    return e.describe();
  }
  return "no error";
}

void put_u64(std::string& s, size_t off, uint64_t v) { std::memcpy(s.data() + off, &v, 8); }
void put_u32(std::string& s, size_t off, uint32_t v) { std::memcpy(s.data() + off, &v, 4); }
void put_u16(std::string& s, size_t off, uint16_t v) { std::memcpy(s.data() + off, &v, 2); }

}  // namespace

TEST_CASE("snapshot status equals etcdctl's on the etcd 3.4 sample files") {
  struct Want {
    const char* file;
    uint32_t hash;
    int64_t revision;
    uint64_t total_key, live, size;
    Trailer trailer;
  };
  for (const Want& w : {Want{"snap1.db", 3413786538u, 18, 23, 12, 24576, Trailer::Match},
                        Want{"snap2-compacted.db", 3903637121u, 18, 19, 12, 24576, Trailer::Match},
                        Want{"member-snap-db.db", 3903637121u, 18, 19, 12, 24576, Trailer::Absent},
                        Want{"snap3-big.db", 3074765175u, 23, 420, 413, 98304, Trailer::Match}}) {
    CAPTURE(w.file);
    auto st = etcd_db_status(w.file, slurp(std::string("etcd-3.4/snapshots/") + w.file));
    CHECK(st.hash == w.hash);
    CHECK(st.revision == w.revision);
    CHECK(st.total_key == w.total_key);
    CHECK(st.total_key_live == w.live);
    CHECK(st.total_size == w.size);
    CHECK(st.trailer == w.trailer);
  }
  // The etcdctl status json files themselves, to tie the numbers to the real tool's output.
  CHECK(slurp("etcd-3.4/status/snapshot-status.json") ==
        "{\"hash\":3413786538,\"revision\":18,\"totalKey\":23,\"totalSize\":24576}\n");
  CHECK(slurp("etcd-3.4/status/snapshot3-status.json") ==
        "{\"hash\":3074765175,\"revision\":23,\"totalKey\":420,\"totalSize\":98304}\n");
  auto st3 = etcd_db_status("snap3", slurp("etcd-3.4/snapshots/snap3-big.db"));
  CHECK(st3.pages.branch == 1);
  CHECK(st3.pages.overflow == 2);
  CHECK(st3.pages.unreachable == 3);  // freed old copies (pages 18-20) are never read
  CHECK(st3.compact_revision == 14);
  auto member = etcd_db_status("member", slurp("etcd-3.4/snapshots/member-snap-db.db"));
  CHECK(member.meta_page == 1);  // meta 1 has the higher txid
}

TEST_CASE("the latest state of every sample db equals etcdctl get -w json") {
  auto want = read_fixture("etcd-3.4/get-json.txt");
  std::map<std::string, Record> by_key;
  for (const auto& r : want.records) by_key[r.key] = r;
  for (const char* file : {"snap1.db", "snap2-compacted.db", "member-snap-db.db"}) {
    CAPTURE(file);
    auto got = read_db(slurp(std::string("etcd-3.4/snapshots/") + file));
    REQUIRE(got.records.size() == 12);
    for (const auto& r : got.records) {
      CAPTURE(r.key);
      REQUIRE(by_key.count(r.key));
      const Record& w = by_key.at(r.key);
      CHECK(r.value == w.value);
      CHECK(r.create_revision == w.create_revision);
      CHECK(r.mod_revision == w.mod_revision);
      CHECK(r.version == w.version);
      CHECK(r.lease == w.lease);
    }
    CHECK(got.m.revision == 18);
    REQUIRE(got.leases.size() == 1);
    CHECK(got.leases[0].id == 2324035656460954387LL);
    CHECK(got.leases[0].ttl == 3600);
    REQUIRE(got.members.size() == 1);
    CHECK(got.members[0].id_hex == "2e1259d415f2a040");
    CHECK(got.members[0].name == "research");
  }
}

TEST_CASE("history holds every revision; --at-revision rebuilds older states, refuses compacted ones") {
  auto snap1 = read_db(slurp("etcd-3.4/snapshots/snap1.db"));
  // Revisions 2..18, the txn at 17 holds two records: each once, the state's in records (with
  // their sub revisions), every other (older puts, tombstones) in the history.
  CHECK(snap1.revisions.size() + snap1.records.size() == 18);
  for (const auto& r : snap1.records) {
    CHECK(r.sub_revision.has_value());
    for (const auto& h : snap1.revisions) CHECK(!(std::get<0>(h) == r.key && std::get<1>(h) == *r.mod_revision));
  }
  CHECK(std::count_if(snap1.revisions.begin(), snap1.revisions.end(), [](auto& h) { return std::get<3>(h); }) == 2);
  CHECK(snap1.m.compact_revision == std::nullopt);
  CHECK(snap1.m.trailer == "match");

  ReadOptions at12;
  at12.at_revision = 12;
  auto old = read_db(slurp("etcd-3.4/snapshots/snap1.db"), at12);
  std::map<std::string, Record> by_key;
  for (const auto& r : old.records) by_key[r.key] = r;
  // etcdctl get /app/recreated --rev=12 (get-rev12-json.txt): gen1-v2, create 11, mod 12, version 2
  auto rev12 = read_fixture("etcd-3.4/get-rev12-json.txt").records.at(0);
  CHECK(by_key.at("/app/recreated").value == rev12.value);
  CHECK(by_key.at("/app/recreated").create_revision == rev12.create_revision);
  CHECK(by_key.at("/app/recreated").version == rev12.version);
  CHECK(by_key.count("/app/deleted") == 0);  // deleted at 10
  CHECK(by_key.count("/txn/a") == 0);        // written at 17
  CHECK(old.m.at_revision == 12);

  auto compacted = slurp("etcd-3.4/snapshots/snap2-compacted.db");
  auto c = read_db(compacted);
  CHECK(c.revisions.size() + c.records.size() == 12);
  CHECK(import_error(compacted, at12) == "test.db: revision 12 has been compacted: this file holds revisions 14 to 18");
  ReadOptions zero;
  zero.at_revision = 0;
  CHECK(import_error(compacted, zero) == "test.db: revision 0 does not exist: revisions start at 1");
  ReadOptions future;
  future.at_revision = 19;
  CHECK(import_error(compacted, future) == "test.db: revision 19 is in the future: this file ends at revision 18");
}

TEST_CASE("records sorted in runs through a temporary file: the same state and history as in memory") {
  // Runs of 1 to 64 records: every key's records may straddle runs, a run may end inside a key.
  for (const char* file : {"snap1.db", "snap2-compacted.db", "snap3-big.db"}) {
    for (std::optional<int64_t> at : {std::optional<int64_t>(), std::optional<int64_t>(16)}) {
      std::string bytes = slurp(std::string("etcd-3.4/snapshots/") + file);
      ReadOptions whole;
      whole.at_revision = at;
      DbSink want = read_db(bytes, whole);
      REQUIRE(!want.records.empty());
      for (size_t run : {1, 2, 3, 7, 64}) {
        CAPTURE(file);
        CAPTURE(at.value_or(-1));
        CAPTURE(run);
        ReadOptions runs = whole;
        runs.sort_run_records = run;
        DbSink got = read_db(bytes, runs);
        REQUIRE(got.records.size() == want.records.size());
        for (size_t i = 0; i < want.records.size(); ++i) {
          CHECK(got.records[i].key == want.records[i].key);
          CHECK(got.records[i].value == want.records[i].value);
          CHECK(got.records[i].mod_revision == want.records[i].mod_revision);
          CHECK(got.records[i].sub_revision == want.records[i].sub_revision);
        }
        CHECK(got.revisions == want.revisions);
      }
    }
  }
  // snap3-big.db's 420 records in runs of 7: 60 runs, merged.
  ReadOptions small;
  small.sort_run_records = 7;
  CHECK(read_db(slurp("etcd-3.4/snapshots/snap3-big.db"), small).records.size() == 413);
}

TEST_CASE("damaged db files: the page and what was wrong, never a crash or a loop") {
  const std::string snap3 = slurp("etcd-3.4/snapshots/snap3-big.db");
  const std::string member = slurp("etcd-3.4/snapshots/member-snap-db.db");
  const size_t ps = 4096;
  ReadOptions skip;
  skip.skip_hash_check = true;

  SUBCASE("a wrong SHA-256 trailer") {
    std::string d = snap3;
    d[d.size() - 1] ^= 1;
    CHECK(import_error(d).find("test.db: byte 98304: the SHA-256 trailer") == 0);
    d = snap3;
    d[22 * ps + 100] ^= 1;  // inside the overflow pages of the 10000-byte value
    CHECK(import_error(d).find("does not match the data") != std::string::npos);
    CHECK(read_db(d, skip).m.trailer == "mismatch");
  }
  SUBCASE("one damaged meta page: the other one is used, as bbolt does") {
    std::string d = member;
    d[ps + 0x40] ^= 1;  // txid of meta 1 (the newer): checksum no longer matches
    auto st = etcd_db_status("m", d);
    CHECK(st.meta_page == 0);
    CHECK(read_db(d).records.size() == 12);
  }
  SUBCASE("both meta pages damaged, wrong magic") {
    std::string d = member;
    d[0x40] ^= 1;
    d[ps + 0x40] ^= 1;
    CHECK(import_error(d).find("test.db: page 0: not a valid bbolt file: meta page 0: checksum") == 0);
    d = member;
    std::memset(d.data() + 16, 0, 4);
    std::memset(d.data() + ps + 16, 0, 4);
    CHECK(import_error(d).find("meta page 0: bad magic 0x00000000") != std::string::npos);
  }
  SUBCASE("truncated") {
    CHECK(import_error(member.substr(0, 3 * ps)) ==
          "test.db: page 1: truncated: meta page 1 says 6 pages of 4096 bytes, the file has 12288 bytes");
    CHECK(import_error(member.substr(0, 40)).find("too short for a bbolt meta page") != std::string::npos);
  }
  SUBCASE("a branch pointing past the end, and at itself") {
    std::string d = snap3;
    put_u64(d, 7 * ps + 16 + 8, 100);
    CHECK(import_error(d, skip) == "test.db: page 100: page id out of bounds (data pages are 2..23)");
    d = snap3;
    put_u64(d, 7 * ps + 16 + 16 + 8, 7);
    CHECK(import_error(d, skip) == "test.db: page 7: page reached twice (multiple references or a cycle)");
    d = snap3;
    put_u64(d, 7 * ps + 16 + 16 + 8, 2);  // two branch elements sharing a child
    CHECK(import_error(d, skip).find("page 2: page reached twice") != std::string::npos);
  }
  SUBCASE("leaf and overflow pages") {
    std::string d = snap3;
    put_u32(d, 2 * ps + 16 + 4, 0xFFFF);  // leaf element 0: key position far past the page
    CHECK(import_error(d, skip) == "test.db: page 2: leaf element 0: key or value runs past the page");
    d = snap3;
    put_u32(d, 21 * ps + 12, 200);
    CHECK(import_error(d, skip) == "test.db: page 21: 200 overflow pages run past the high-water mark 24");
    d = snap3;
    put_u16(d, 2 * ps + 8, 0x10);  // a freelist page where a leaf belongs
    CHECK(import_error(d, skip) == "test.db: page 2: unexpected page type 0x10 (freelist) in a bucket tree");
    d = snap3;
    put_u64(d, 3 * ps, 9);  // page header names another page
    CHECK(import_error(d, skip) == "test.db: page 3: page header says it is page 9");
  }
  SUBCASE("keys out of order") {
    std::string d = slurp("etcd-3.4/snapshots/snap1.db");
    auto at = d.find("auth", 5 * ps);  // the root page lists the bucket names: alarm, auth, ...
    REQUIRE(at < 6 * ps);
    d[at + 1] = 'a';  // "aath" now sorts before "alarm"
    CHECK(import_error(d, skip) == "test.db: page 5: element 1: keys out of order");
  }
  SUBCASE("a bucket inside a bucket (etcd writes none; crafted, they could nest without bound)") {
    std::string d = slurp("etcd-3.4/snapshots/snap1.db");
    auto key = d.find("authRevision", 5 * ps);  // the one entry of the inline bucket "auth"
    REQUIRE(key < 6 * ps);
    d[key - 16] = 1;  // its element's flags: now a bucket
    CHECK(import_error(d, skip) == "test.db: page 5: element 0: a bucket inside bucket 'auth' (etcd writes none)");
  }
  SUBCASE("verify collects every problem instead of stopping") {
    std::string d = snap3;
    put_u64(d, 7 * ps + 16 + 8, 100);
    put_u32(d, 21 * ps + 12, 200);
    auto problems = etcd_db_verify("snap3", d);
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].find("SHA-256 trailer") == 0);
    CHECK(problems[1] == "page 100: page id out of bounds (data pages are 2..23)");
    CHECK(problems[2] == "page 21: 200 overflow pages run past the high-water mark 24");
    CHECK(etcd_db_verify("snap3", snap3).empty());
  }
}
