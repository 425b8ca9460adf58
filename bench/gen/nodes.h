#pragma once
// The nodes: their names, InternalIPs, and the orders their keys sort in.
#include <cstdint>
#include <string>
#include <vector>

#include "gen/cluster.h"
#include "gen/layout.h"

namespace kvsnap::gen {

// Node n's InternalIP: 192.168.(1 + n / 250).(5 + n % 250), host byte order.
uint32_t node_internal_ip(int node);

class NodeTable {
 public:
  NodeTable(const Layout& layout, const GenOptions& options);

  // "worker-<n + 1>", prefixed with "<cluster name>-" unless the cluster is named "default".
  const std::string& name(int node) const { return names_[node]; }
  // The text of node_internal_ip(node) (in every slave key and ipcache value of the node).
  const std::string& internal_ip(int node) const { return internal_ips_[node]; }
  // Node indices sorted by name: the order of the cilium/state/nodes/v1/ keys.
  const std::vector<int>& in_name_order() const { return in_name_order_; }
  // The place of the node's InternalIP text among every node's: the order of an identity's
  // slave keys, which end in it.
  int internal_ip_rank(int node) const { return internal_ip_rank_[node]; }

 private:
  std::vector<std::string> names_;
  std::vector<std::string> internal_ips_;
  std::vector<int> in_name_order_;
  std::vector<int> internal_ip_rank_;
};

}  // namespace kvsnap::gen
