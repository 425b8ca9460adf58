// The seeded permutation of seeded.h (a Feistel network with cycle walking).
#include "gen/seeded.h"

namespace kvsnap::gen {

namespace {

uint64_t feistel(uint64_t value, int bits, uint64_t seed, Purpose purpose, bool inverse) {
  const int half = bits / 2;
  const uint64_t mask = (uint64_t{1} << half) - 1;
  uint64_t left = value >> half, right = value & mask;
  for (int i = 0; i < 4; ++i) {
    const uint64_t round = inverse ? 3 - i : i;
    if (!inverse) {
      const uint64_t new_left = right;
      right = left ^ (seeded_hash(seed, purpose, round, right) & mask);
      left = new_left;
    } else {
      const uint64_t new_right = left;
      left = right ^ (seeded_hash(seed, purpose, round, left) & mask);
      right = new_right;
    }
  }
  return (left << half) | right;
}

int even_bits_for(uint64_t size) {
  int bits = 2;
  while ((uint64_t{1} << bits) < size) bits += 2;
  return bits;
}

uint64_t walk(uint64_t value, uint64_t size, uint64_t seed, Purpose purpose, bool inverse) {
  const int bits = even_bits_for(size);
  do value = feistel(value, bits, seed, purpose, inverse);
  while (value >= size);
  return value;
}

}  // namespace

uint64_t permute(uint64_t value, uint64_t size, uint64_t seed, Purpose purpose) {
  return walk(value, size, seed, purpose, false);
}

uint64_t unpermute(uint64_t value, uint64_t size, uint64_t seed, Purpose purpose) {
  return walk(value, size, seed, purpose, true);
}

}  // namespace kvsnap::gen
