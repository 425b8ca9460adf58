// The node table (nodes.h): names, InternalIPs and key orders.
#include "gen/nodes.h"

#include <algorithm>
#include <numeric>

#include "gen/codec.h"

namespace kvsnap::gen {

uint32_t node_internal_ip(int node) {
  return (192u << 24) | (168u << 16) | (static_cast<uint32_t>(1 + node / 250) << 8) |
         static_cast<uint32_t>(5 + node % 250);
}

NodeTable::NodeTable(const Layout& layout, const GenOptions& options) {
  const int count = layout.nodes;
  const std::string prefix =
      options.cluster_name == "default" ? std::string("worker-") : options.cluster_name + "-worker-";
  names_.resize(count);
  for (int node = 0; node < count; ++node) names_[node] = prefix + std::to_string(node + 1);

  in_name_order_.resize(count);
  std::iota(in_name_order_.begin(), in_name_order_.end(), 0);
  std::sort(in_name_order_.begin(), in_name_order_.end(), [&](int a, int b) { return names_[a] < names_[b]; });

  internal_ips_.resize(count);
  for (int node = 0; node < count; ++node) internal_ips_[node] = ipv4_text(node_internal_ip(node));
  std::vector<int> in_ip_order(count);
  std::iota(in_ip_order.begin(), in_ip_order.end(), 0);
  std::sort(in_ip_order.begin(), in_ip_order.end(), [&](int a, int b) { return internal_ips_[a] < internal_ips_[b]; });
  internal_ip_rank_.resize(count);
  for (int rank = 0; rank < count; ++rank) internal_ip_rank_[in_ip_order[rank]] = rank;
}

}  // namespace kvsnap::gen
