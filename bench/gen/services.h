#pragma once
// The clustermesh global services: one per identity (its app in its namespace) while there are
// fewer services than identities, "-p<n>" variants beyond; their ClusterIPs and backends.
#include <cstdint>
#include <string>
#include <vector>

#include "gen/identities.h"
#include "gen/layout.h"

namespace kvsnap::gen {

struct Model;

struct Service {
  int identity = 0;  // whose pods are the backends
  std::string name;
};

class ServiceTable {
 public:
  ServiceTable(const Layout& layout, const IdentityTable& identities);

  int size() const { return static_cast<int>(services_.size()); }
  const Service& operator[](int service) const { return services_[service]; }
  // Services sorted by "<namespace>/<name>": the order of the services/v1 keys.
  const std::vector<int>& in_key_order() const { return in_key_order_; }

 private:
  std::vector<Service> services_;
  std::vector<int> in_key_order_;
};

// Service s's ClusterIP: 172.20.0.10 on, seeded (host byte order).
uint32_t service_cluster_ip(int service, uint64_t seed);

// The backend addresses of an identity's service, as text, sorted: its first pods (at most
// kMaxBackendsPerService). later: of the model's later state, those of them still there with
// that identity, then the pods that got it, up to the same limit.
void backend_addresses(const Model& model, int identity, bool later, std::vector<std::string>& out);

}  // namespace kvsnap::gen
