// Endpoint addresses and ids (endpoints.h).
#include "gen/endpoints.h"

#include "gen/seeded.h"

namespace kvsnap::gen {

int Endpoints::entry_of_slot(int node, int slot) const {
  return static_cast<int>(permute(slot, layout_.endpoints_per_node, seed_ ^ mix(node), Purpose::EndpointSlot));
}

int Endpoints::slot_of_entry(int node, int entry) const {
  return static_cast<int>(unpermute(entry, layout_.endpoints_per_node, seed_ ^ mix(node), Purpose::EndpointSlot));
}

uint32_t Endpoints::address(int node, int entry) const {
  const int primary_entries = layout_.pod_addresses_per_cidr();
  if (entry >= primary_entries)  // the secondary pod CIDR, from its .1
    return layout_.secondary_pod_cidr() + 1 + static_cast<uint32_t>(entry - primary_entries);
  return layout_.pod_cidr(node) + 2 + static_cast<uint32_t>(entry);
}

uint32_t Endpoints::health_address(int node) const {
  if (layout_.health_in_ipcache) return address(node, entry_of_slot(node, layout_.pods_per_node));
  return layout_.pod_cidr(node) + 2 + static_cast<uint32_t>(layout_.pods_per_node);
}

int Endpoints::endpoint_id(int node, int slot_or_entry) const {
  return 1 + static_cast<int>(permute(slot_or_entry, kMaxEndpointId, seed_ ^ mix(node), Purpose::EndpointId));
}

}  // namespace kvsnap::gen
