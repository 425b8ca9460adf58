#pragma once
// Matching the equal elements of two sequences that list them in the same order.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace kvsnap {

// Calls unmatched_a(i) for each element A[i] that equals no element of B, and unmatched_b(j) for
// each B[j] that equals none of A, both in ascending order. A and B hold distinct elements (at
// least 8 bytes each), and equal elements appear in the same order in both: two snapshots' rows in
// key order, compared by their digests (kvdiff).
//
// Equal runs are walked in lockstep. At a difference, both sides are read ahead, one more element
// a side at each step, until an element of one side's window equals one of the other's: A[i+x] =
// B[j+y]. Then A[i..i+x) and B[j..j+y) are unmatched: an equal pair among them would come before
// A[i+x] = B[j+y] on both sides (the order), so it would lie inside both windows one step earlier
// and would have been found first. A few elements a difference, when the sequences differ little.
//
// Seq: size(), at(i) -> std::string_view (valid until release_before), and release_before(i) (the
// elements before i are no longer asked for). Returns false, having stopped, when a window would
// grow past max_window: the caller then compares some other way (memory stays bounded). A side
// used up stops the other's window from growing: a long tail added or removed at the end of the
// keys is walked to its end, whatever its length.
template <typename SeqA, typename SeqB, typename OnA, typename OnB>
bool align_unmatched(SeqA& a, SeqB& b, size_t max_window, OnA unmatched_a, OnB unmatched_b) {
  const size_t na = a.size(), nb = b.size();
  size_t i = 0, j = 0;
  auto prefix = [](std::string_view d) {
    uint64_t v = 0;
    std::memcpy(&v, d.data(), sizeof v);
    return v;
  };
  std::unordered_map<uint64_t, size_t> window_a, window_b;  // element prefix -> offset from i or j
  while (i < na && j < nb) {
    if (a.at(i) == b.at(j)) {
      ++i, ++j;
      if ((i & 4095) == 0) a.release_before(i), b.release_before(j);
      continue;
    }
    // clear() visits every bucket: after a long window, a fresh map costs less.
    for (auto* w : {&window_a, &window_b})
      if (w->bucket_count() > 4096)
        *w = {};
      else
        w->clear();
    size_t skip_a = na - i, skip_b = nb - j;  // no match ahead: the rest of both is unmatched
    for (size_t k = 0; i + k < na || j + k < nb; ++k) {
      // An element is kept in its window only while the other side has elements to come that
      // could equal it: once a side is used up, the other side's window stops growing.
      if (window_a.size() >= max_window || window_b.size() >= max_window) return false;
      if (i + k < na) {
        std::string_view x = a.at(i + k);
        auto it = window_b.find(prefix(x));
        if (it != window_b.end() && b.at(j + it->second) == a.at(i + k)) {
          skip_a = k, skip_b = it->second;
          break;
        }
        if (j + k < nb) window_a.emplace(prefix(a.at(i + k)), k);
      }
      if (j + k < nb) {
        std::string_view y = b.at(j + k);
        auto it = window_a.find(prefix(y));
        if (it != window_a.end() && a.at(i + it->second) == b.at(j + k)) {
          skip_a = it->second, skip_b = k;
          break;
        }
        if (i + k + 1 < na) window_b.emplace(prefix(b.at(j + k)), k);
      }
    }
    for (size_t x = 0; x < skip_a; ++x) unmatched_a(i + x);
    for (size_t y = 0; y < skip_b; ++y) unmatched_b(j + y);
    i += skip_a, j += skip_b;
    a.release_before(i);
    b.release_before(j);
  }
  for (; i < na; ++i) unmatched_a(i);
  for (; j < nb; ++j) unmatched_b(j);
  return true;
}

}  // namespace kvsnap
