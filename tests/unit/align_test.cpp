// align_unmatched and kv digests: how kvdiff finds the rows two snapshots do not share without
// reading their keys and values. Its answer must be the set difference, whatever the changes.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/align.h"
#include "util/hash.h"

using namespace kvsnap;

namespace {

// A sequence over a vector that checks the contract: no element asked for after its release.
struct VecSeq {
  const std::vector<std::string>& v;
  size_t released = 0, max_asked = 0;
  size_t size() const { return v.size(); }
  std::string_view at(size_t i) {
    REQUIRE(i >= released);
    max_asked = std::max(max_asked, i);
    return v[i];
  }
  void release_before(size_t i) {
    REQUIRE(i >= released);
    released = i;
  }
};

struct Result {
  std::vector<size_t> a, b;
  bool done = false;
};

Result align(const std::vector<std::string>& x, const std::vector<std::string>& y, size_t window = 1 << 20) {
  VecSeq a{x}, b{y};
  Result r;
  r.done = align_unmatched(
      a, b, window, [&](size_t i) { r.a.push_back(i); }, [&](size_t j) { r.b.push_back(j); });
  return r;
}

// The positions of x's elements that y lacks.
std::vector<size_t> lacking(const std::vector<std::string>& x, const std::vector<std::string>& y) {
  std::set<std::string> in_y(y.begin(), y.end());
  std::vector<size_t> out;
  for (size_t i = 0; i < x.size(); ++i)
    if (!in_y.count(x[i])) out.push_back(i);
  return out;
}

// Rows of a snapshot as digests of (key, value), in key order.
std::vector<std::string> digests(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<std::string> out;
  for (const auto& [k, v] : rows) {
    std::string d;
    append_kv_digest(k, v, d);
    out.push_back(d);
  }
  return out;
}

}  // namespace

TEST_CASE("align_unmatched finds exactly the rows the other side lacks, for any mix of changes") {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    // OLD: keys 0..n in order. NEW: some removed, some values changed, some keys added, in runs.
    size_t n = rng() % (round < 100 ? 20 : 3000);
    std::vector<std::pair<std::string, std::string>> old_rows, new_rows;
    int change = int(rng() % 40) + 1;  // percent
    for (size_t k = 0; k < n; ++k) {
      char key[32];
      std::snprintf(key, sizeof key, "key/%08zu", k * 2);
      old_rows.emplace_back(key, "v");
      int what = int(rng() % 100);
      size_t run = 1 + (rng() % 4 == 0 ? rng() % 50 : 0);  // changes come in runs too
      for (size_t r = 0; r < run && what < change; ++r) {
        if (what % 3 == 0) break;  // removed: NEW lacks it
        new_rows.emplace_back(std::string(key).append("+").append(std::to_string(r)), "added");
      }
      if (what >= change || what % 3 == 1) new_rows.emplace_back(key, what < change ? "changed" : "v");
    }
    std::sort(new_rows.begin(), new_rows.end());
    auto x = digests(old_rows), y = digests(new_rows);
    Result r = align(x, y);
    CAPTURE(round);
    REQUIRE(r.done);
    CHECK(r.a == lacking(x, y));
    CHECK(r.b == lacking(y, x));
    // The same the other way round.
    Result back = align(y, x);
    CHECK(back.a == r.b);
    CHECK(back.b == r.a);
  }
}

TEST_CASE("align_unmatched: equal, disjoint and empty sequences") {
  std::vector<std::string> x = digests({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  std::vector<std::string> z = digests({{"d", "1"}, {"e", "2"}});
  CHECK(align(x, x).a.empty());
  CHECK(align(x, x).b.empty());
  Result r = align(x, z);
  CHECK(r.a == std::vector<size_t>{0, 1, 2});
  CHECK(r.b == std::vector<size_t>{0, 1});
  CHECK(align({}, x).b == std::vector<size_t>{0, 1, 2});
  CHECK(align(x, {}).a == std::vector<size_t>{0, 1, 2});
}

TEST_CASE("align_unmatched stops when a stretch of differences outgrows the window") {
  std::vector<std::pair<std::string, std::string>> old_rows, new_rows;
  for (int k = 0; k < 100; ++k) {
    std::string key = std::to_string(1000 + k);  // not "k" + std::string&&: GCC 12 -Wrestrict
    old_rows.emplace_back(key, "old");
    new_rows.emplace_back(key, k < 50 ? "new" : "old");
  }
  auto x = digests(old_rows), y = digests(new_rows);
  CHECK(!align(x, y, 20).done);
  Result r = align(x, y, 60);
  REQUIRE(r.done);
  CHECK(r.a.size() == 50);
  CHECK(r.b.size() == 50);
}

TEST_CASE("align_unmatched walks a long tail past the window once the other side is used up") {
  // OLD ends with a key NEW removed; NEW goes on with many added keys: at the difference, OLD has
  // one element left, so only NEW is read ahead, and its window never grows.
  std::vector<std::pair<std::string, std::string>> old_rows, new_rows;
  for (int k = 0; k < 10; ++k) {
    std::string key = std::string("a").append(std::to_string(k));
    old_rows.emplace_back(key, "v");
    new_rows.emplace_back(key, "v");
  }
  old_rows.emplace_back("b", "removed");
  for (int k = 0; k < 1000; ++k) new_rows.emplace_back(std::string("c").append(std::to_string(1000 + k)), "added");
  auto x = digests(old_rows), y = digests(new_rows);
  Result r = align(x, y, 20);
  REQUIRE(r.done);
  CHECK(r.a == std::vector<size_t>{10});
  CHECK(r.b.size() == 1000);
  CHECK(r.b.front() == 10);
  Result back = align(y, x, 20);
  REQUIRE(back.done);
  CHECK(back.a == r.b);
}

TEST_CASE("a kv digest is the first 12 bytes of XXH3-128 over the key length, the key and the value") {
  // The definition of docs/database.md, computed here over one buffer: both of the function's paths
  // (one call up to 4096 bytes, the streaming state above) must give it.
  auto reference = [](const std::string& key, const std::string& value) {
    std::string buf;
    for (int i = 0; i < 8; ++i) buf.push_back(char(uint8_t(uint64_t(key.size()) >> (8 * i))));
    buf += key + value;
    XXH128_hash_t h = XXH3_128bits(buf.data(), buf.size());
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(char(uint8_t(h.low64 >> (8 * i))));
    for (int i = 0; i < 4; ++i) out.push_back(char(uint8_t(h.high64 >> (8 * i))));
    return out;
  };
  for (size_t size : {0, 1, 4000, 4092, 4093, 4094, 5000, 100000}) {  // 3 + 4093 = 4096: the last one-call size
    std::string value(size, 'x'), d;
    for (size_t i = 0; i < size; ++i) value[i] = char('a' + i % 26);
    append_kv_digest("key", value, d);
    CAPTURE(size);
    CHECK(d == reference("key", value));
  }
  // The length keeps key and value apart.
  std::string a, b;
  append_kv_digest("ab", "c", a);
  append_kv_digest("a", "bc", b);
  CHECK(a != b);
}
