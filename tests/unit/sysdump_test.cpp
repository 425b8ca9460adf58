// A sysdump's kvstore-*.json members whose `cilium kvstore get` failed (lib/etcd/sysdump.cpp,
// fixtures/sysdump-failed): left out with a warning when they hold nothing, only cilium's log
// lines, or an error message; read as a dump otherwise, so that damaged data is an error; the
// bounds of what is looked at. tests/e2e/sysdump.sh runs the same through kvimport.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "etcd/readers.h"
#include "test_util.h"
#include "util/codec.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

const std::string kHeartbeat = R"({"cilium/.heartbeat":{"Data":"YQ=="}})"
                               "\n";
const std::string kLog1 =
    "time=2025-03-10T08:15:03.412094271Z level=info msg=\"Creating etcd client\" "
    "configPath=/var/lib/etcd-config/etcd.config\n";
const std::string kLog2 =
    "time=2025-03-10T08:15:03.412977135Z level=info msg=\"Connecting to etcd server...\" "
    "endpoints=[https://192.0.2.10:2379]\n";
const std::string kError = "Error: Unable to connect to the kvstore: timed out while waiting for etcd connection\n";

struct Folder {
  std::string path;
  Folder() {
    char t[] = "/tmp/kvsnap-sysdump-XXXXXX";
    path = mkdtemp(t);
  }
  ~Folder() { std::system(("rm -rf '" + path + "'").c_str()); }
  Folder& with(const std::string& name, const std::string& data) {
    std::ofstream(path + "/" + name, std::ios::binary) << data;
    return *this;
  }
};

// The warnings that say a member was left out.
std::vector<std::string> failed(const CollectSink& sink) {
  std::vector<std::string> out;
  for (const auto& w : sink.m.warnings)
    if (w.find("kvstore task failed") != std::string::npos) out.push_back(w);
  return out;
}

// The message of the InputError reading the folder throws, or "" when it reads.
std::string refusal(const Folder& d, CollectSink& sink) {
  try {
    read_sysdump_dir(d.path, sink, ReadOptions{});
  } catch (const InputError& e) {
    return e.describe();
  }
  return {};
}

}  // namespace

TEST_CASE("sysdump: members whose command failed are left out with a warning naming them") {
  for (const auto& [data_, what_] : std::vector<std::pair<std::string, std::string>>{
           {"", "kvstore-ips.json is empty (the sysdump's kvstore task failed for it): its keys are missing"},
           {kLog1 + kLog2,
            "kvstore-ips.json holds only 2 log lines of `cilium kvstore get`, no data (the sysdump's "
            "kvstore task failed for it): its keys are missing; its last line: \"time="},
           {kLog1, "holds only 1 log line of"},
           {kLog1 + kLog2.substr(0, kLog2.size() - 1), "holds only 2 log lines"},  // no last newline
           {kLog1 + "\n \n", "holds only 1 log line"},                             // blank lines after them
           {"level=info msg=\"Waiting for consul to elect a leader\" subsys=kvstore\n", "holds only 1 log line"},
           {kError,
            "kvstore-ips.json holds an etcdctl or cilium error message instead of data (the sysdump's "
            "kvstore task failed for it): its keys are missing; its first line: \"Error: Unable to"},
           {kLog1 + kError, "error message instead of data (after 1 log line)"},
           {"command terminated with exit code 1\n", "holds the error output of kubectl exec instead of data"},
           {"error: unable to upgrade connection: container not found (\"cilium-agent\")\n",
            "holds an error message (kubectl exec or cilium) instead of data"},
       }) {
    const std::string data = data_, what = what_;
    INFO("member: '" << data << "'");
    Folder d;
    d.with("kvstore-heartbeat.json", kHeartbeat).with("kvstore-ips.json", data);
    CollectSink sink;
    CHECK(refusal(d, sink) == "");
    CHECK(sink.records.size() == 1);
    auto w = failed(sink);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find(what) != std::string::npos);
    CHECK(w[0].starts_with(d.path + "/kvstore-ips.json "));
  }
}

TEST_CASE("sysdump: cilium's log lines before a dump are skipped; the dump is read, no warning") {
  Folder d;
  d.with("kvstore-heartbeat.json", kLog1 + kLog2 + kHeartbeat);
  CollectSink sink;
  CHECK(refusal(d, sink) == "");
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].key == "cilium/.heartbeat");
  CHECK(failed(sink).empty());
}

TEST_CASE("sysdump: damaged data, or text that is not a failed command's output, is an error") {
  const std::string big_logs = [] {
    std::string s;
    while (s.size() <= 64 * 1024) s += kLog1;
    return s;
  }();
  for (const auto& [data_, where_] : std::vector<std::pair<std::string, std::string>>{
           {kHeartbeat.substr(0, 20), "kvstore-ips.json: byte 20: "},  // cut short
           {kLog1 + kHeartbeat.substr(0, 20), "kvstore-ips.json: byte " + std::to_string(kLog1.size() + 20) + ": "},
           {kError + kHeartbeat, "kvstore-ips.json: byte 0: "},  // an error message, then a dump
           {kError + "  \"cilium/a\": {\n", "kvstore-ips.json: byte 0: "},
           {"hello\n", "kvstore-ips.json: byte 0: "},
           {"time=2025-03-10T08:15:03Z msg=\"no level\"\n", "kvstore-ips.json: byte "},
           {"\n", "kvstore-ips.json: byte 0: "},
           {big_logs, "kvstore-ips.json: byte "},  // more than a failed command prints
           {kError + std::string(70 * 1024, 'x'), "kvstore-ips.json: byte 0: "},
       }) {
    const std::string data = data_, where = where_;
    INFO("member: '" << data.substr(0, 200) << "'");
    Folder d;
    d.with("kvstore-heartbeat.json", kHeartbeat).with("kvstore-ips.json", data);
    CollectSink sink;
    std::string err = refusal(d, sink);
    CHECK(err.find(d.path + "/" + where) != std::string::npos);
  }
}

TEST_CASE("sysdump: refused when no member holds data, each member named with why") {
  Folder d;
  d.with("kvstore-heartbeat.json", "").with("kvstore-ips.json", kLog1 + kLog2).with("kvstore-nodes.json", kError);
  CollectSink sink;
  std::string err = refusal(d, sink);
  CHECK(err.starts_with(d.path + ": no kvstore data in this sysdump: `cilium kvstore get` failed for each of its 3 "
                                 "kvstore-*.json files: "));
  CHECK(err.find(d.path + "/kvstore-heartbeat.json is empty; ") != std::string::npos);
  CHECK(err.find(d.path + "/kvstore-ips.json holds only 2 log lines of `cilium kvstore get`, no data (its last "
                          "line: \"time=2025-03-10T08:15:03.412977135Z") != std::string::npos);
  CHECK(err.find(d.path + "/kvstore-nodes.json holds an etcdctl or cilium error message instead of data (its "
                          "first line: \"Error: Unable to connect") != std::string::npos);
  Folder one;
  one.with("kvstore-ips.json", "");
  CHECK(refusal(one, sink).find("failed for its kvstore-*.json file: ") != std::string::npos);
}

TEST_CASE("sysdump: the files cilium-cli did not write after a failed command are named") {
  Folder d;
  d.with("kvstore-identities.json", "{}\n").with("kvstore-ips.json", kLog1 + kLog2);
  CollectSink sink;
  CHECK(refusal(d, sink) == "");
  REQUIRE(sink.m.warnings.size() == 2);
  CHECK(sink.m.warnings[1] ==
        d.path +
            " has no kvstore-nodes.json, kvstore-cnpstatuses.json, kvstore-heartbeat.json, kvstore-services.json "
            "(cilium sysdump writes one kvstore-*.json per prefix and writes none after the first whose `cilium "
            "kvstore get` fails): their keys are missing");
}

TEST_CASE("sysdump: the line quoted in a warning is cut at a character, its control bytes escaped") {
  Folder d;
  // 159 bytes, then an 'é' across byte 160 (where the quote is cut).
  std::string line = "time=2025-03-10T08:15:03Z level=error msg=\"\x1b]0;pwned\x07" + std::string(106, 'a') +
                     "\xc3\xa9\xc3\xa9\xc3\xa9\" \xff\n";
  REQUIRE(line.substr(159, 2) == "\xc3\xa9");
  d.with("kvstore-heartbeat.json", kHeartbeat).with("kvstore-ips.json", line);
  CollectSink sink;
  CHECK(refusal(d, sink) == "");
  auto w = failed(sink);
  REQUIRE(w.size() == 1);
  CHECK(w[0].find('\x1b') == std::string::npos);
  CHECK(w[0].find('\x07') == std::string::npos);
  CHECK(is_valid_utf8(w[0]));
  CHECK(w[0].ends_with("...\""));
}
