// The bounded readers (docs/input-bounds.md): base64 decoded as it streams gives exactly what
// util/codec's base64_decode gives, however the input is split; the ConfigMap line scanner that
// replaced std::regex reads what the regex read; archive member paths, cut dumps, sizes.
#include <doctest/doctest.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>

#include "etcd/formats.h"
#include "io/limits.h"
#include "test_util.h"
#include "util/codec.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

// Hands out at most `step` bytes per read, so the JSON parser sees every string in pieces.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min({n, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t step_, pos_ = 0;
};

// The records of `data` read as `format` with reads of `step` bytes; the error message if any.
std::pair<CollectSink, std::string> trickle(const std::string& data, const char* format, size_t step) {
  auto in = make_input("trickle", std::make_unique<TrickleSource>(data, step));
  CollectSink sink;
  try {
    find_format(format)->read(*in, sink, ReadOptions{});
  } catch (const InputError& e) {
    return {std::move(sink), e.describe()};
  }
  return {std::move(sink), ""};
}

std::string random_b64ish(std::mt19937& rng) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=*";
  std::string s;
  size_t n = rng() % 40;
  // Mostly valid base64 of random bytes, sometimes with one character changed.
  std::string raw;
  for (size_t i = 0; i < n; ++i) raw += char(rng());
  s = base64_encode(raw);
  if (!s.empty() && rng() % 3 == 0) s[rng() % s.size()] = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  if (rng() % 7 == 0) s.resize(s.size() - std::min<size_t>(s.size(), rng() % 3));
  return s;
}

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/kvsnap-bounds-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  void write(const std::string& name, const std::string& data) const { std::ofstream(path + "/" + name) << data; }
};

}  // namespace

TEST_CASE("base64 decoded while the JSON streams in is base64_decode, however the string is split") {
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    std::string s = random_b64ish(rng);
    auto want = base64_decode(s);
    std::string doc = R"({"cilium/a":{"Data":")" + s + R"(","ModRevision":3}})";
    for (size_t step : {size_t(1), size_t(2), size_t(3), size_t(5), size_t(64)}) {
      auto got = trickle(doc, "cilium-json", step);
      const CollectSink& sink = got.first;
      const std::string err = got.second;  // a structured binding cannot be captured by INFO (clang)
      INFO("data: '" << s << "' step " << step << " error " << err);
      if (want) {
        REQUIRE(err.empty());
        REQUIRE(sink.records.size() == 1);
        CHECK(sink.records[0].value == *want);
      } else {
        CHECK(err.find("\"Data\" is not valid base64") != std::string::npos);
      }
    }
  }
  // etcd -w json: keys and values both, in one response.
  std::string doc = R"({"header":{"revision":"5"},"kvs":[{"key":"Y2lsaXVtL2E=","value":"eHl6","lease":"7"},)"
                    R"({"key":"Y2lsaXVtL2I=","value":""}],"count":2})";
  for (size_t step : {size_t(1), size_t(4), size_t(1000)}) {
    auto [sink, err] = trickle(doc, "etcd-json", step);
    REQUIRE(err.empty());
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].key == "cilium/a");
    CHECK(sink.records[0].value == "xyz");
    CHECK(sink.records[0].lease == 7);
    CHECK(sink.records[1].value.empty());
    CHECK(sink.m.revision == 5);
  }
}

TEST_CASE("JSON nesting is bounded, strings nobody reads are not kept") {
  std::string deep = R"({"header":{},"kvs":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto [sink, err] = trickle(deep, "etcd-json", 1 << 20);
  CHECK(err.find("nested deeper than 32 levels") != std::string::npos);
  // A long string in a member nobody reads (SessionID) is skipped, not held.
  std::string doc = R"({"cilium/a":{"Data":"YQ==","SessionID":")" + std::string(3 << 20, 's') + R"("}})";
  auto [s2, e2] = trickle(doc, "cilium-json", 1 << 16);
  CHECK(e2.empty());
  CHECK(s2.records.at(0).value == "a");
}

TEST_CASE("the cilium-config line scanner reads what the old std::regex read") {
  // The regex the scanner replaced (it recursed per character and overflowed the stack on long
  // lines); compared on short lines, where it still works. The scanner also drops trailing
  // spaces of the value.
  static const std::regex kLine(R"re(^\s*"?(cluster-name|cluster-id)"?\s*:\s*"?([^",]*)"?\s*,?\s*$)re");
  std::vector<std::string> lines = {"  cluster-name: default",
                                    "  cluster-id: \"7\"",
                                    "\"cluster-name\": \"mesh-1\",",
                                    "cluster-name:x",
                                    "  cluster-names: x",
                                    "cluster-name: a,b",
                                    "cluster-name: \"a\"b",
                                    "  \"cluster-id\" :  \"12\" , ",
                                    "cluster-name: ",
                                    "cluster-name: \"\"",
                                    "#cluster-name: x",
                                    "cluster-id: 3 ",
                                    "cluster-name:\ta b\t"};
  std::mt19937 rng(3);
  const char* parts[] = {" ", "\"", ",", ":", "cluster-name", "cluster-id", "x", "1", "\t"};
  for (int i = 0; i < 300; ++i) {
    std::string l;
    for (int k = rng() % 8; k >= 0; --k) l += parts[rng() % 9];
    lines.push_back(l);
  }
  for (const auto& line : lines) {
    TempDir d;
    d.write("kvstore-heartbeat.json", R"({"cilium/.heartbeat":{"Data":"YQ=="}})");
    d.write("cilium-configmap.yaml", "data:\n" + line + "\n");
    CollectSink sink;
    read_sysdump_dir(d.path, sink, ReadOptions{});
    std::smatch m;
    std::optional<std::string> name;
    std::optional<int64_t> id;
    if (std::regex_match(line, m, kLine)) {
      std::string v = m[2];
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      if (m[1] == "cluster-name" && !v.empty()) name = v;
      if (m[1] == "cluster-id") id = parse_i64(v);
    }
    INFO("line: '" << line << "'");
    CHECK(sink.m.cluster_name == name);
    CHECK(sink.m.cluster_id == id);
  }
  // 40 KB lines: read (no stack overflow), the name after them wins.
  TempDir d;
  d.write("kvstore-heartbeat.json", R"({"cilium/.heartbeat":{"Data":"YQ=="}})");
  d.write("cilium-configmap.yaml", "  cluster-name: " + std::string(40000, 'a') + "\n  cluster-id: \"" +
                                       std::string(40000, '9') + "\"\n  cluster-name: c1\n");
  CollectSink sink;
  read_sysdump_dir(d.path + "/", sink, ReadOptions{});
  CHECK(sink.m.cluster_name == "c1");
  CHECK(!sink.m.cluster_id);
}

TEST_CASE("a sysdump's capture time from its name, without std::regex") {
  for (const auto& [name_, want] : std::vector<std::pair<std::string, std::optional<std::string>>>{
           {"cilium-sysdump-20250310-081500", "2025-03-10T08:15:00"},
           {"x/cilium-sysdump-2025031-081500/cilium-sysdump-20240102-030405", "2024-01-02T03:04:05"},
           {"cilium-sysdump-20250310-08150", std::nullopt},
           {"cilium-sysdump-2025031O-081500", std::nullopt}}) {
    const std::string name = name_;  // INFO cannot capture a structured binding (clang)
    TempDir d;
    std::string dir = d.path + "/" + name;
    std::system(("mkdir -p '" + dir + "'").c_str());
    std::ofstream(dir + "/kvstore-heartbeat.json") << R"({"cilium/.heartbeat":{"Data":"YQ=="}})";
    CollectSink sink;
    read_sysdump_dir(dir, sink, ReadOptions{});
    INFO(name);
    CHECK(sink.m.captured_at == want);
  }
}

TEST_CASE("cut line dumps: a last line without its newline is refused") {
  CHECK(read_string("cilium/a\nv\n", "etcd-simple").records.size() == 1);
  for (const auto& [data_, format] : std::vector<std::pair<std::string, const char*>>{
           {"cilium/a\nvalu", "etcd-simple"},
           {"\\x61\n\\x62\\x6", "etcd-hex"},
           {"\\x61\n\\x62", "etcd-hex"},
           {"cilium/a => v\ncilium/b => w", "cilium-text"},
           {"\"Key\" : \"a\"\n\"Value\" : \"b\"\n\"Count\" : 1", "etcd-fields"}}) {
    const std::string data = data_;  // INFO cannot capture a structured binding (clang)
    auto in = make_input_from_string("cut", data);
    CollectSink sink;
    INFO(data);
    CHECK_THROWS_WITH_AS(find_format(format)->read(*in, sink, ReadOptions{}),
                         doctest::Contains("the last line has no newline"), InputError);
  }
}

TEST_CASE("sizes: key and value messages, protobuf lengths, human sizes") {
  CHECK(human_bytes(999'999'000) == "1.0 GB");
  CHECK(human_bytes(1'234'000'000) == "1.2 GB");
  CHECK(human_bytes(340'000'000) == "340 MB");
  CHECK(human_bytes(17) == "17 bytes");
  CHECK(quote_bytes("cilium/\x01\"x") == "\"cilium/\\x01\\\"x\"");
  CHECK(quote_bytes(std::string(300, 'k')).ends_with("... (300 bytes)"));
  CHECK(value_too_big("cilium/a", 1'234'567'890) ==
        "value of key \"cilium/a\" is 1.2 GB (1234567890 bytes); SQLite stores at most 1 GB per value (and per row)");
  // A KeyValue that declares 2 GiB in a 20-byte input: refused from its length.
  std::string pb = std::string("\x0a\x02\x18\x03\x12\x80\x80\x80\x80\x08", 10) + "abc";
  auto in = make_input_from_string("pb", pb);
  CollectSink sink;
  CHECK_THROWS_WITH_AS(find_format("etcd-protobuf")->read(*in, sink, ReadOptions{}),
                       doctest::Contains("a KeyValue (field 2) entry declares 2147483648 bytes"), InputError);
  // Cut inside a varint.
  auto cut = make_input_from_string("pb", std::string("\x0a\x02\x18\x03\x12\x80", 6));
  CHECK_THROWS_WITH_AS(find_format("etcd-protobuf")->read(*cut, sink, ReadOptions{}),
                       doctest::Contains("the input ends inside a varint"), InputError);
}
