#include <doctest/doctest.h>

#include <map>

#include "test_util.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

std::map<std::string, Record> by_key(const CollectSink& s) {
  std::map<std::string, Record> m;
  for (const auto& r : s.records) m[r.key] = r;
  return m;
}

// The message a reader gives for `data` read as `format`, or "no error".
std::string read_error(const std::string& data, const char* format) {
  try {
    read_string(data, format);
  } catch (const InputError& e) {
    return e.describe();
  }
  return "no error";
}

}  // namespace

TEST_CASE("every etcdctl get format of the etcd 3.4 samples gives the keys and values of the json dump") {
  std::string fmt;
  auto json = read_fixture("etcd-3.4/get-json.txt", &fmt);
  CHECK(fmt == "etcd-json");
  REQUIRE(json.records.size() == 12);
  CHECK(json.m.revision == 18);
  CHECK(json.m.etcd_cluster_id == 324952591200643719ULL);  // > 2^53: exact
  CHECK(json.m.etcd_member_id == 3319814642761637952ULL);
  CHECK(json.m.raft_term == 2);
  auto want = by_key(json);
  CHECK(want.at("/app/leased").lease == 2324035656460954387LL);
  CHECK(want.at("/app/binary").value == std::string("\x00\x01\x02\xff\xfe\"\\\x7f\tA", 10));
  CHECK(want.at("/app/multi-trailing").value == "line1\nline2\n\n");
  CHECK(want.at("/app/empty").value.empty());
  CHECK(want.at("/app/recreated").version == 1);
  CHECK(want.at("/app/recreated").create_revision == 15);

  for (auto [file, name, has_meta] : {std::tuple{"etcd-3.4/get-fields.txt", "etcd-fields", true},
                                      std::tuple{"etcd-3.4/get-hex-fields.txt", "etcd-fields", true},
                                      std::tuple{"etcd-3.4/get-protobuf.bin", "etcd-protobuf", true},
                                      std::tuple{"etcd-3.4/get-hex-json.txt", "etcd-json", true},
                                      std::tuple{"etcd-3.4/get-hex.txt", "etcd-hex", false}}) {
    const char* input = file;  // clang 14 cannot capture a structured binding (CAPTURE's lambda)
    CAPTURE(input);
    auto got = read_fixture(file, &fmt);
    CHECK(fmt == name);
    REQUIRE(got.records.size() == want.size());
    for (const auto& r : got.records) {
      CAPTURE(r.key);
      REQUIRE(want.count(r.key));
      const Record& w = want.at(r.key);
      CHECK(r.value == w.value);
      if (has_meta) {
        CHECK(r.create_revision == w.create_revision);
        CHECK(r.mod_revision == w.mod_revision);
        CHECK(r.version == w.version);
        CHECK(r.lease == w.lease);
      }
    }
    if (has_meta) CHECK(got.m.revision == 18);
  }
}

TEST_CASE("simple format: values with newlines are joined back, and no byte is lost") {
  std::string fmt;
  // The etcd 3.4 samples hold keys under /, not cilium/: --prefix says they are the dump's keys.
  ReadOptions app;
  app.key_prefix = "/";
  auto got = read_fixture("etcd-3.4/get-simple.txt", &fmt, app);
  CHECK(fmt == "etcd-simple");
  auto want = by_key(read_fixture("etcd-3.4/get-json.txt"));
  REQUIRE(got.records.size() == want.size());
  int exact = 0;
  std::string got_bytes, want_bytes;
  for (const auto& r : got.records) {
    got_bytes += r.key + "\n" + r.value + "\n";
    if (want.count(r.key) && want.at(r.key).value == r.value) ++exact;
  }
  for (const auto& [k, r] : want) want_bytes += k + "\n" + r.value + "\n";
  // The one unrecoverable case: a key that itself holds a newline ("/app/key\nwith-newline")
  // reads as key "/app/key" with the rest in its value. Every byte is still there.
  CHECK(exact == 11);
  CHECK(got_bytes == want_bytes);
  CHECK(got.m.joined_lines == 5);
  CHECK(by_key(got).at("/app/multi-trailing").value == "line1\nline2\n\n");
  CHECK(by_key(got).at("/app/binary").value == std::string("\x00\x01\x02\xff\xfe\"\\\x7f\tA", 10));
}

TEST_CASE("keys-only dumps, limit pages, gateway JSON, empty results") {
  auto ko = read_fixture("etcd-3.4/get-keys-only-json.txt");
  CHECK(ko.records.size() == 12);
  CHECK(ko.m.keys_only);
  ReadOptions app;
  app.key_prefix = "/";
  auto ko_simple = read_fixture("etcd-3.4/get-keys-only.txt", nullptr, app);
  CHECK(ko_simple.records.size() == 12);
  for (const auto& r : ko_simple.records)
    if (r.key != "/app/key") CHECK(r.value.empty());  // "/app/key\nwith-newline" spans two lines

  auto gw = read_fixture("etcd-3.4/gateway-range.json");
  REQUIRE(gw.records.size() == 3);
  CHECK(gw.m.revision.has_value());
  CHECK(gw.records[0].key.rfind("/app/", 0) == 0);

  auto empty = read_fixture("etcd-3.4/get-empty-json.txt");
  CHECK(empty.records.empty());
  CHECK(empty.m.revision == 18);

  // Two pages concatenated (what users who paginate by hand produce).
  std::string page = "{\"header\":{\"revision\":5},\"kvs\":[{\"key\":\"YQ==\",\"value\":\"MQ==\"}]}\n";
  std::string page2 = "{\"header\":{\"revision\":7},\"kvs\":[{\"key\":\"Yg==\",\"value\":\"Mg==\"}],\"count\":1}\n";
  auto two = read_string(page + page2, "etcd-json");
  REQUIRE(two.records.size() == 2);
  CHECK(two.records[1].value == "2");
  CHECK(two.m.revision == 7);
}

TEST_CASE("etcd-json: integers beyond 2^53 are exact, numbers may be strings") {
  auto r = read_string(
      R"({"header":{"cluster_id":18446744073709551615,"member_id":"9007199254740993","revision":"9223372036854775807"},)"
      R"("kvs":[{"key":"YQ==","lease":"9007199254740993","version":9007199254740993}]})",
      "etcd-json");
  CHECK(r.m.etcd_cluster_id == UINT64_MAX);
  CHECK(r.m.etcd_member_id == 9007199254740993ULL);
  CHECK(r.m.revision == INT64_MAX);
  CHECK(r.records.at(0).lease == 9007199254740993LL);
  CHECK(r.records.at(0).version == 9007199254740993LL);
}

TEST_CASE("bad input names where it went wrong") {
  auto err = read_error;
  CHECK(err("", "etcd-json") == "test-input: byte 0: empty input: expected etcdctl -w json output");
  CHECK(err(R"({"header":{},"kvs":[{"key":"YQ==")", "etcd-json").find("truncated") != std::string::npos);
  CHECK(err(R"({"header":{},"kvs":[{"key":"!!!!"}]})", "etcd-json")
            .find("byte 32: invalid etcdctl -w json output: kvs[].key is not valid base64") != std::string::npos);
  CHECK(err(R"({"header":{},"kvs":[{"value":"YQ=="}]})", "etcd-json").find("has no \"key\"") != std::string::npos);
  CHECK(err(R"({"kvs":[]})", "etcd-json").find("no \"header\"") != std::string::npos);
  CHECK(err("/a\n1\n/b\n", "etcd-simple") == "test-input: line 3: key line without its value line (the input ends)");
  CHECK(err("\\x61\n\\x6g\n", "etcd-hex") == "test-input: line 2: expected a value as \\xHH bytes (etcdctl --hex)");
  CHECK(err("\\x61\n", "etcd-hex").find("line 1: key line without its value") != std::string::npos);
  CHECK(err("\"Key\" : \"a\"\n\"Value\" : \"bad\\q\"\n", "etcd-fields") ==
        "test-input: line 2: \"Value\": expected a Go-quoted string");
  CHECK(err(std::string("\x0a\x05\x08\x01", 4), "etcd-protobuf").find("truncated protobuf") != std::string::npos);
  CHECK(err("\"k\"", "cilium-json").find("single JSON string") != std::string::npos);
  CHECK(err(R"({"a":{"ModRevision":3}})", "cilium-json").find("the entry of \"a\" has no \"Data\"") !=
        std::string::npos);
  CHECK(err(R"({"a":{"Data":"%%%%"}})", "cilium-json").find("\"Data\" is not valid base64") != std::string::npos);
  CHECK(err("no arrow here\n", "cilium-text") == "test-input: line 1: expected `key => value` (cilium kvstore get)");
}

TEST_CASE("a response's count: a cut dump is an error, a --limit page a warning") {
  auto err = read_error;
  // protobuf cut exactly between two kvs: etcd always writes count after the kvs.
  std::string pb;
  {
    auto in = open_input(fixture("etcd-3.4/get-protobuf.bin"));
    for (auto c = in->chunk(); !c.empty(); c = in->chunk()) {
      pb.append(c);
      in->consume(c.size());
    }
  }
  CHECK(err(pb.substr(0, pb.size() - 2), "etcd-protobuf").find("truncated protobuf: 12 kvs but no count field") !=
        std::string::npos);
  // fields cut after a kv: no "Count" line.
  CHECK(err("\"ClusterID\" : 1\n\"Key\" : \"a\"\n\"Value\" : \"1\"\n", "etcd-fields") ==
        "test-input: line 4: truncated: the input ends before the \"Count\" line of the response before it");
  // json whose count says more than it holds, without more: kvs were lost.
  CHECK(err(R"({"header":{},"kvs":[{"key":"YQ=="}],"count":2})", "etcd-json") ==
        "test-input: response 1: the response counts 2 keys but holds 1: the dump is incomplete");
  auto limit = read_fixture("etcd-3.4/get-limit2-json.txt");
  REQUIRE(limit.m.warnings.size() == 1);
  CHECK(limit.m.warnings[0].find("holds 2 of 10 keys") != std::string::npos);
  CHECK(read_fixture("etcd-3.4/get-limit2-fields.txt").m.warnings.size() == 1);
  CHECK(read_fixture("etcd-3.4/get-json.txt").m.warnings.empty());
}

TEST_CASE("format detection by content") {
  auto detect = [](const std::string& data) {
    auto in = make_input_from_string("x", data);
    return std::string(detect_format(*in).name);
  };
  CHECK(detect("{\"header\":{}}") == "etcd-json");
  CHECK(detect("  {\n  \"cilium/.heartbeat\": {\n") == "cilium-json");
  CHECK(detect("{}") == "cilium-json");
  CHECK(detect("\\x61\n\\x62\n") == "etcd-hex");
  CHECK(detect("\"ClusterID\" : 1\n") == "etcd-fields");
  CHECK(detect("cilium/.heartbeat => 2024-01-01T00:00:00Z\n") == "cilium-text");
  CHECK(detect("cilium/.heartbeat\n2024\n") == "etcd-simple");
  CHECK(detect(std::string("\x0a\x00", 2)) == "etcd-protobuf");
  CHECK_THROWS_AS(detect(""), InputError);
  CHECK_THROWS_AS(detect("\xff\xfe garbage"), InputError);
}

TEST_CASE("cilium kvstore get -o json, with and without SessionID") {
  std::string data = R"({
  "cilium/state/identities/v1/id/65793": {
    "Data": "azhzOmFwcD1lY2hvOw==",
    "ModRevision": 48213,
    "LeaseID": 0,
    "SessionID": ""
  },
  "cilium/state/identities/v1/value/k8s:app=echo;/172.18.0.3": {
    "Data": "NjU3OTM=",
    "ModRevision": 48215,
    "LeaseID": 7587861234567890433
  }
})";
  auto r = read_string(data, "cilium-json");
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].value == "k8s:app=echo;");
  CHECK(r.records[0].lease == 0);
  CHECK(r.records[1].value == "65793");
  CHECK(r.records[1].mod_revision == 48215);
  CHECK(r.records[1].lease == 7587861234567890433LL);
  CHECK_FALSE(r.records[1].create_revision.has_value());
  CHECK(read_string("null", "cilium-json").records.empty());
}

TEST_CASE("outputs that are not dumps are named, not imported") {
  auto err = [](const char* file) -> std::string {
    try {
      read_fixture(file);
    } catch (const InputError& e) {
      return e.describe();
    }
    return "no error";
  };
  CHECK(err("etcd-3.4/get-table.txt").find("line 1: this is an etcdctl or cilium error message") != std::string::npos);
  CHECK(err("etcd-3.4/get-compacted-rev-error.txt").find("etcd client log lines") != std::string::npos);
  CHECK(err("etcd-3.4/lease-list.txt").find("`etcdctl lease list` output") != std::string::npos);
  CHECK(err("etcd-3.4/lease-ttl.json").find("lease timetolive") != std::string::npos);
  CHECK(err("etcd-3.4/endpoint-status.json").find("endpoint status") != std::string::npos);
  CHECK(err("etcd-3.4/member-list.json").find("it has a \"members\" member (etcdctl member list?)") !=
        std::string::npos);
  CHECK(err("etcd-3.4/get-print-value-only.txt").find("not a format kvimport knows") != std::string::npos);
  CHECK(err("etcd-3.4/get-empty-simple.txt").find("byte 0: empty input") != std::string::npos);
}
