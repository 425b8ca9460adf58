#pragma once
// Sorting helpers too small for a library.
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace kvsnap {

// Merges the two sorted halves of v ([0, n/2) and [n/2, n)) in place. The merge writes the
// order as 4-byte indexes, then moves each record once along the permutation's cycles:
// 4 bytes a record where std::inplace_merge takes a buffer of half the records (24 of them).
template <typename T, typename Less>
void merge_halves(std::vector<T>& v, Less less) {
  size_t n = v.size(), h = n / 2, i = 0, j = h, k = 0;
  if (n > UINT32_MAX) throw std::length_error("more than 2^32 records");
  std::vector<uint32_t> order(n);
  while (i < h && j < n) order[k++] = uint32_t(less(v[j], v[i]) ? j++ : i++);
  while (i < h) order[k++] = uint32_t(i++);
  while (j < n) order[k++] = uint32_t(j++);
  // Position k takes the record at order[k]; a position done is marked order[k] = k.
  for (size_t start = 0; start < n; ++start) {
    if (order[start] == start) continue;
    T first = std::move(v[start]);
    size_t at = start;
    for (;;) {
      size_t from = order[at];
      order[at] = uint32_t(at);
      if (from == start) {
        v[at] = std::move(first);
        break;
      }
      v[at] = std::move(v[from]);
      at = from;
    }
  }
}

}  // namespace kvsnap
