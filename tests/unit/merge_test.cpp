// merge_halves: the merge the etcd db reader runs after sorting the two halves of the key bucket
// on two threads. It must give what one sort gives, moving each element once.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "util/merge.h"

using namespace kvsnap;

TEST_CASE("merging two sorted halves gives the sort of the whole") {
  std::mt19937 rng(7);
  for (size_t n : {0, 1, 2, 3, 10, 11, 1000, 4097}) {
    for (int round = 0; round < 5; ++round) {
      std::vector<std::string> v(n);
      // Few distinct values in some rounds: equal elements across the halves.
      for (auto& s : v) s = std::to_string(rng() % (round % 2 ? 7 : 100000)) + "/x";
      std::vector<std::string> want = v;
      std::sort(want.begin(), want.end());
      auto mid = v.begin() + ptrdiff_t(n / 2);
      std::sort(v.begin(), mid);
      std::sort(mid, v.end());
      merge_halves(v, std::less<std::string>());
      CAPTURE(n);
      CHECK(v == want);
    }
  }
}
