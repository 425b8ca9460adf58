// The cluster's layout (layout.h): checking the options and sizing the cluster from them, also
// for --keys (options_for_keys) and for parse_cilium_minor.
#include "gen/layout.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gen/seeded.h"

namespace kvsnap::gen {

namespace {

// The minor versions --cilium-version accepts (values.cpp has what each one writes).
constexpr int kOldestMinor = 8;
constexpr int kNewestMinor = 20;

bool valid_cluster_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return name.front() != '-' && name.back() != '-';
}

void check_options(const GenOptions& options, int minor) {
  if (minor < kOldestMinor || minor > kNewestMinor)
    throw std::invalid_argument("unsupported --cilium-version '" + options.cilium_version + "' (1." +
                                std::to_string(kOldestMinor) + " .. 1." + std::to_string(kNewestMinor) + ")");
  if (!valid_cluster_name(options.cluster_name))
    throw std::invalid_argument("invalid cluster name '" + options.cluster_name +
                                "' (lower-case alphanumerics and '-', at most 32)");
  if (options.cluster_id > 255) throw std::invalid_argument("cluster id must be 0..255");
  if (options.nodes < 1 || options.nodes > kMaxNodes)
    throw std::invalid_argument("nodes must be 1.." + std::to_string(kMaxNodes));
  if (options.identities < 1 || options.identities > kIdentityRange)
    throw std::invalid_argument("identities must be 1.." + std::to_string(kIdentityRange) +
                                " (the cluster's identity range)");
  if (options.pods_per_node < 1) throw std::invalid_argument("pods per node must be >= 1");
  if (options.services < 0 || options.services > kMaxServices)
    throw std::invalid_argument("services must be 0.." + std::to_string(kMaxServices));
  if (!(options.change_fraction >= 0 && options.change_fraction <= 0.25))  // also refuses NaN
    throw std::invalid_argument("change fraction must be 0..0.25");
}

// Key counts and etcd header fields of the base state.
GenSummary base_summary(const Layout& layout, uint64_t seed) {
  GenSummary summary;
  summary.nodes = layout.nodes;
  summary.identities = layout.identities;
  summary.pods_per_node = layout.pods_per_node;
  summary.services = layout.services;
  summary.cilium_minor = layout.cilium_minor;
  summary.pod_cidr_prefix_len = 32 - layout.pod_cidr_host_bits;
  summary.health_in_ipcache = layout.health_in_ipcache;
  summary.master_keys = layout.identities;
  summary.slave_keys = layout.slave_keys;
  summary.ipcache_keys = static_cast<int64_t>(layout.nodes) * layout.endpoints_per_node;
  summary.node_keys = layout.nodes;
  summary.service_keys = layout.services;
  summary.other_keys = 1 + (layout.has_cluster_config ? 1 : 0) + (layout.has_synced_canary ? 1 : 0);
  summary.total_keys = summary.master_keys + summary.slave_keys + summary.ipcache_keys + summary.node_keys +
                       summary.service_keys + summary.other_keys;
  summary.leases = layout.nodes + 1;
  summary.first_revision = 2;
  summary.last_revision = layout.first_revision.heartbeat;
  summary.etcd_cluster_id = seeded_hash(seed, Purpose::EtcdClusterId);  // any uint64, like etcd's
  summary.etcd_member_id = seeded_hash(seed, Purpose::EtcdMemberId);
  summary.raft_term = 2;
  return summary;
}

}  // namespace

Layout make_layout(const GenOptions& options) {
  Layout layout;
  layout.cilium_minor = parse_cilium_minor(options.cilium_version);
  check_options(options, layout.cilium_minor);
  layout.nodes = options.nodes;
  layout.identities = options.identities;
  layout.pods_per_node = options.pods_per_node;
  layout.services = options.services;
  layout.health_in_ipcache = layout.cilium_minor < 17;
  layout.endpoints_per_node = layout.pods_per_node + (layout.health_in_ipcache ? 1 : 0);
  if (layout.endpoints_per_node > kMaxEndpointId - 1)
    throw std::invalid_argument("too many pods per node (endpoint ids are 1..4095)");
  layout.pods = static_cast<uint64_t>(layout.nodes) * static_cast<uint64_t>(layout.pods_per_node);
  if (static_cast<uint64_t>(layout.identities) > layout.pods)
    throw std::invalid_argument(
        "more identities than pods: every identity needs at least one pod (raise "
        "--pods-per-node or --nodes)");

  // A pod CIDR holds the network, the router (.1), the pods, the health endpoint and the
  // broadcast address. The nodes' CIDRs follow one another in 10.0.0.0/8, from the
  // (cluster id mod 16)th /12 when they fit there, so that the clusters of a mesh differ.
  while ((1u << layout.pod_cidr_host_bits) < static_cast<unsigned>(layout.pods_per_node) + 4)
    ++layout.pod_cidr_host_bits;
  const uint64_t span = static_cast<uint64_t>(layout.nodes) << layout.pod_cidr_host_bits;
  uint64_t offset = static_cast<uint64_t>(options.cluster_id % 16) << 20;
  if (offset + span > (1u << 24)) offset = 0;
  if (span > (1u << 24)) throw std::invalid_argument("pod CIDRs do not fit 10.0.0.0/8");
  layout.first_pod_cidr = (10u << 24) + static_cast<uint32_t>(offset);

  // The operator writes the services sync canary from 1.14 and the cluster config from 1.15
  // (for a cluster named "default" only from 1.18), never for cluster id 0.
  layout.has_synced_canary = layout.cilium_minor >= 14;
  layout.has_cluster_config = layout.cilium_minor >= 15 && options.cluster_id != 0 &&
                              (layout.cilium_minor >= 18 || options.cluster_name != "default");
  for (int identity = 0; identity < layout.identities; ++identity) layout.slave_keys += layout.nodes_of(identity);

  FirstRevisions& first = layout.first_revision;
  first.nodes = 2;  // etcd's first put gets revision 2
  first.identity_masters = first.nodes + layout.nodes;
  first.identity_slaves = first.identity_masters + layout.identities;
  first.ipcache = first.identity_slaves + layout.slave_keys;
  first.services = first.ipcache + static_cast<int64_t>(layout.nodes) * layout.endpoints_per_node;
  first.cluster_config = first.services + layout.services;
  first.synced_canary = first.cluster_config + (layout.has_cluster_config ? 1 : 0);
  first.heartbeat = first.synced_canary + (layout.has_synced_canary ? 1 : 0);

  layout.summary = base_summary(layout, options.seed);
  return layout;
}

int parse_cilium_minor(std::string_view version) {
  if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) version.remove_prefix(1);
  if (version.size() < 3 || version[0] != '1' || version[1] != '.') return -1;
  version.remove_prefix(2);
  int minor = 0;
  auto result = std::from_chars(version.data(), version.data() + version.size(), minor);
  if (result.ec != std::errc() || result.ptr == version.data()) return -1;
  if (result.ptr != version.data() + version.size() && *result.ptr != '.' && *result.ptr != '-') return -1;
  return minor;
}

GenOptions options_for_keys(int64_t keys, const GenOptions& base) {
  if (keys < 1) throw std::invalid_argument("--keys must be >= 1");
  GenOptions options = base;
  auto rounded_within = [](double value, int low, int high) {
    return static_cast<int>(std::clamp<double>(std::llround(value), low, high));
  };
  options.nodes = rounded_within(static_cast<double>(keys) / 500.0, 1, kMaxNodes);
  options.identities = rounded_within(static_cast<double>(keys) / 50.0, 1, kIdentityRange);
  options.services = rounded_within(static_cast<double>(keys) / 200.0, 0, kMaxServices);
  // total_for(P) is increasing in P (options that cannot be built count as infinite).
  auto total_for = [&](int pods_per_node) -> int64_t {
    GenOptions trial = options;
    trial.pods_per_node = pods_per_node;
    try {
      return make_layout(trial).summary.total_keys;
    } catch (const std::invalid_argument&) {
      return INT64_MAX;
    }
  };
  // Prefer pod counts that fit a /24 per node (252 pods + health); add nodes until they do.
  constexpr int kFitsSlash24 = 252;
  const int most_pods = kMaxEndpointId - 2;
  for (;;) {
    const int fewest = std::max(1, (options.identities + options.nodes - 1) / options.nodes);
    const bool can_grow = options.nodes < kMaxNodes;
    const int most = can_grow ? kFitsSlash24 : most_pods;
    if (fewest > most || total_for(most) < keys) {
      if (can_grow) {
        options.nodes = std::min(kMaxNodes, options.nodes + std::max(1, options.nodes / 10));
        continue;
      }
      if (fewest > most) throw std::invalid_argument("--keys too large for one cluster");
      options.pods_per_node = most;
      return options;
    }
    if (total_for(fewest) >= keys) {
      options.pods_per_node = fewest;
      return options;
    }
    int below = fewest, above = most;  // total_for(below) < keys <= total_for(above)
    while (above - below > 1) {
      const int middle = below + (above - below) / 2;
      (total_for(middle) >= keys ? above : below) = middle;
    }
    options.pods_per_node = (total_for(above) - keys <= keys - total_for(below)) ? above : below;
    return options;
  }
}

}  // namespace kvsnap::gen
