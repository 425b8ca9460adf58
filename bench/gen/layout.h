#pragma once
// The cluster's layout: everything that follows arithmetically from the options (how many of
// each entity, the pod CIDRs, which identity each pod has, the revision each group of keys starts
// at, the key counts), computed without building any table. make_layout() is also where the
// options are checked.
#include <algorithm>
#include <cstdint>

#include "gen/cluster.h"

namespace kvsnap::gen {

// What the generator can lay out.
inline constexpr int kMaxNodes = 250 * 254;         // InternalIPs 192.168.(1..254).(5..254)
inline constexpr int kIdentityRange = 65536 - 256;  // a cluster's identities: local part 256..65535
inline constexpr int kMaxEndpointId = 4095;         // endpoint ids of a node are 1..4095
inline constexpr int kMaxServices = 65000;          // ClusterIPs from 172.20.0.0/16
inline constexpr int kMaxBackendsPerService = 64;

// The revision of the first key of each group, in the order the base state writes them (the
// keys of a group follow one another).
struct FirstRevisions {
  int64_t nodes = 0;
  int64_t identity_masters = 0;
  int64_t identity_slaves = 0;
  int64_t ipcache = 0;
  int64_t services = 0;
  int64_t cluster_config = 0;
  int64_t synced_canary = 0;
  int64_t heartbeat = 0;
};

struct Layout {
  int nodes = 0;
  int identities = 0;  // of the base state (a later state's new identities come after these)
  int pods_per_node = 0;
  int services = 0;
  int cilium_minor = 0;
  bool health_in_ipcache = true;  // agents before 1.17 publish their cilium-health endpoint
  int endpoints_per_node = 0;     // a node's ipcache entries: its pods and health endpoint
  uint64_t pods = 0;              // nodes * pods_per_node
  int pod_cidr_host_bits = 8;     // a node's pod CIDR is a /(32 - pod_cidr_host_bits)
  uint32_t first_pod_cidr = 0;    // node 0's pod CIDR (network address, host byte order)
  bool has_cluster_config = false;
  bool has_synced_canary = false;
  int64_t slave_keys = 0;
  FirstRevisions first_revision;
  GenSummary summary;  // of the base state

  // Pods are numbered by position = slot * nodes + node (slot: the pod's index on its node), so
  // that consecutive positions are on different nodes. Identity k owns the positions
  // [first_pod_of(k), first_pod_of(k + 1)).
  uint64_t first_pod_of(int64_t identity) const {
    return (static_cast<uint64_t>(identity) * pods + static_cast<uint64_t>(identities) - 1) /
           static_cast<uint64_t>(identities);
  }
  uint64_t pods_of(int identity) const { return first_pod_of(identity + 1) - first_pod_of(identity); }
  int identity_of_pod(uint64_t position) const {
    return static_cast<int>(position * static_cast<uint64_t>(identities) / pods);
  }
  // The nodes a base identity has pods on (= its slave keys).
  int64_t nodes_of(int identity) const {
    return static_cast<int64_t>(std::min<uint64_t>(static_cast<uint64_t>(nodes), pods_of(identity)));
  }

  uint32_t pod_cidr_size() const { return 1u << pod_cidr_host_bits; }
  uint32_t pod_cidr(int node) const { return first_pod_cidr + (static_cast<uint32_t>(node) << pod_cidr_host_bits); }
  // Addresses of a pod CIDR that pods can have: all but the network, the router (.1) and the
  // broadcast address.
  int pod_addresses_per_cidr() const { return static_cast<int>(pod_cidr_size()) - 3; }
  // The block right after every node's pod CIDR: the secondary pod CIDR a later state gives one
  // node (when it fits, see changes.cpp).
  uint32_t secondary_pod_cidr() const {
    return first_pod_cidr + static_cast<uint32_t>(static_cast<uint64_t>(nodes) << pod_cidr_host_bits);
  }
};

// Throws std::invalid_argument when the options cannot describe a healthy cluster.
Layout make_layout(const GenOptions& options);

}  // namespace kvsnap::gen
