// The service table and service backends (services.h).
#include "gen/services.h"

#include <algorithm>
#include <numeric>

#include "gen/codec.h"
#include "gen/model.h"
#include "gen/seeded.h"

namespace kvsnap::gen {

ServiceTable::ServiceTable(const Layout& layout, const IdentityTable& identities) {
  const int count = layout.services, identity_count = layout.identities;
  services_.resize(count);
  for (int service = 0; service < count; ++service) {
    int identity = 0, variant = 0;
    if (count <= identity_count) {  // spread over the identities
      identity = static_cast<int>(static_cast<int64_t>(service) * identity_count / count);
    } else {
      identity = service % identity_count;
      variant = service / identity_count;
    }
    services_[service].identity = identity;
    services_[service].name = identities[identity].app;
    if (variant > 0) {
      services_[service].name += "-p";
      services_[service].name += std::to_string(variant);
    }
  }
  in_key_order_.resize(count);
  std::iota(in_key_order_.begin(), in_key_order_.end(), 0);
  std::sort(in_key_order_.begin(), in_key_order_.end(), [&](int x, int y) {
    auto key = [&](int service) {
      return identities.namespace_of(services_[service].identity) + "/" + services_[service].name;
    };
    return key(x) < key(y);
  });
}

uint32_t service_cluster_ip(int service, uint64_t seed) {
  return (172u << 24) | (20u << 16) |
         static_cast<uint32_t>(10 + permute(service, kMaxServices, seed, Purpose::ServiceClusterIp));
}

void backend_addresses(const Model& model, int identity, bool later, std::vector<std::string>& out) {
  const Layout& layout = model.layout;
  out.clear();
  if (identity < layout.identities) {
    const uint64_t first = layout.first_pod_of(identity);
    const uint64_t end = std::min<uint64_t>(layout.first_pod_of(identity + 1), first + kMaxBackendsPerService);
    for (uint64_t position = first; position < end; ++position) {
      const int node = static_cast<int>(position % layout.nodes);
      const int slot = static_cast<int>(position / layout.nodes);
      const int entry = model.endpoints.entry_of_slot(node, slot);
      if (later && model.changes.pod_event(node, entry)) continue;
      out.push_back(ipv4_text(model.endpoints.address(node, entry)));
    }
  }
  if (later) {
    const auto& given = model.changes.pods_given_identity;
    auto it = std::lower_bound(given.begin(), given.end(), PodOfIdentity{identity, -1, -1});
    for (; it != given.end() && it->identity == identity && out.size() < static_cast<size_t>(kMaxBackendsPerService);
         ++it)
      out.push_back(ipv4_text(model.endpoints.address(it->node, it->entry)));
  }
  std::sort(out.begin(), out.end());
}

}  // namespace kvsnap::gen
