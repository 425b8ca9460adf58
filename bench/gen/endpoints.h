#pragma once
// Where a node's endpoints sit in its pod CIDR, and their endpoint ids.
//
// A node's endpoint slots are its pods (slot j: its j-th pod, see Layout for which identity that
// is) and, before 1.17, its cilium-health endpoint (slot pods_per_node). Addresses are counted
// by entry: entry e is the address pod_cidr + 2 + e (the network and the router's .1 come
// first). Slot s has the entry a seeded per-node shuffle of the slots gives it, as IPAM hands
// out addresses in no particular order. A later state's new pods get the entries after the
// slots', and those from pod_addresses_per_cidr() on are in the node's secondary pod CIDR.
#include <cstdint>

#include "gen/layout.h"

namespace kvsnap::gen {

class Endpoints {
 public:
  Endpoints(const Layout& layout, uint64_t seed) : layout_(layout), seed_(seed) {}

  int entry_of_slot(int node, int slot) const;
  int slot_of_entry(int node, int entry) const;
  uint32_t address(int node, int entry) const;
  // From 1.17 the health endpoint is not in the ipcache; its address is right after the pods'.
  uint32_t health_address(int node) const;
  // Endpoint ids 1..4095, a different shuffle on each node. A base pod's is that of its slot, a
  // new pod's that of its entry (or of the slot of the removed pod whose address it got).
  int endpoint_id(int node, int slot_or_entry) const;

 private:
  const Layout& layout_;
  uint64_t seed_;
};

}  // namespace kvsnap::gen
