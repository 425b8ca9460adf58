#pragma once
// Seeded, order-free randomness: every "random" choice of the generator is a pure function of a
// seed, what is being chosen (a Purpose) and the entity it is chosen for, so keys can be produced
// in any order without replaying a random number generator. A Purpose's number is part of the
// output: changing one changes every cluster generated.
#include <cstdint>

namespace kvsnap::gen {

enum class Purpose : uint64_t {
  IdentityNumber = 1,     // which numeric identity an identity gets
  IdentityLabels = 2,     // its optional labels
  NamedPorts = 3,         // its pods' named ports
  ReplicaSetHash = 4,     // the pod-template-hash in its pods' names
  PodName = 5,            // its pods' name suffixes
  EndpointSlot = 6,       // which address of its node's pod CIDR an endpoint gets
  EndpointId = 7,         // which endpoint id
  BootIdFirstHalf = 8,    // a node's BootID, first half
  BootIdSecondHalf = 9,   // and its second half
  ServiceClusterIp = 10,  // a service's ClusterIP
  EtcdClusterId = 11,     // the etcd-json header
  EtcdMemberId = 12,
  ServiceAccount = 13,  // an identity's service account
  // change_fraction > 0 only
  ChangeSeed = 14,         // the seed of every change choice (from the seed and change_seed)
  DeletedIdentity = 15,    // which identities are deleted
  ChangedPod = 16,         // which pods are removed or relabelled
  RelabelTarget = 17,      // the identity a relabelled pod gets
  AddedPod = 18,           // the node and identity of an added pod
  NewIdentity = 19,        // a new identity's template, labels and ports
  NewIdentityNode = 20,    // the nodes a new identity's pods run on
  ChangedNode = 21,        // the node that gets a label, its value, the one with a new CIDR
  HeartbeatDelay = 22,     // how much later the heartbeat is
  SecondaryCidrPods = 23,  // the pods in the secondary pod CIDR
};

// splitmix64's finaliser.
inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A 64-bit value fixed by the seed, the purpose and up to two entity numbers.
inline uint64_t seeded_hash(uint64_t seed, Purpose purpose, uint64_t a = 0, uint64_t b = 0) {
  return mix(mix(mix(seed ^ (static_cast<uint64_t>(purpose) * 0x100000001b3ULL)) + a) + b);
}

// A seeded bijection of [0, size): values look random but never collide. A 4-round Feistel
// network on the smallest even number of bits that holds size, walking the cycle until the
// value falls inside the range.
uint64_t permute(uint64_t value, uint64_t size, uint64_t seed, Purpose purpose);
// Its inverse: unpermute(permute(v, ...), ...) == v.
uint64_t unpermute(uint64_t value, uint64_t size, uint64_t seed, Purpose purpose);

}  // namespace kvsnap::gen
