#include "cilium/layouts.h"

namespace kvsnap {

const std::vector<KeyLayout>& key_layouts() {
  // Order matters only where one prefix contains another (locks/id/ before locks/).
  static const std::vector<KeyLayout> kLayouts = {
      {"identity-master", "cilium/state/identities/v1/id/<ID> => <labels>", "identity, identity_label", "state",
       "identities/v1/id/", true, false, decode_identity_master},
      {"identity-slave", "cilium/state/identities/v1/value/<labels>/<nodeIP> => <ID>", "identity_ref", "state",
       "identities/v1/value/", true, false, decode_identity_slave},
      {"identity-gc-lock", "cilium/state/identities/v1/locks/id/<ID>/<leaseHex>", "identity_lock", "state",
       "identities/v1/locks/id/", true, false, decode_identity_gc_lock},
      {"identity-lock", "cilium/state/identities/v1/locks/<labels>/<leaseHex>", "identity_lock", "state",
       "identities/v1/locks/", true, false, decode_identity_alloc_lock},
      {"ipcache", "cilium/state/ip/v1/default/<IP> => IPIdentityPair JSON", "ipcache", "state", "ip/v1/", true, false,
       decode_ipcache},
      {"node", "cilium/state/nodes/v1/<cluster>/<node> => Node JSON", "node, node_address, node_cidr", "state",
       "nodes/v1/", true, false, decode_node},
      {"node-register", "cilium/state/noderegister/v1/<node> => Node JSON (1.9-1.17)", "node, node_address, node_cidr",
       "state", "noderegister/v1/", false, false, decode_node_register},
      {"service", "cilium/state/services/v1/<cluster>/<namespace>/<name> => ClusterService JSON",
       "service, service_frontend, service_backend", "state", "services/v1/", true, false, decode_service},
      {"service-export", "cilium/state/serviceexports/v1/<cluster>/<namespace>/<name> (1.17+)", "service_export",
       "state", "serviceexports/v1/", true, false, decode_service_export},
      {"cnp-status", "cilium/state/cnpstatuses/v2/<UID>/<namespace>/<name>/<node> (1.8-1.14)", "policy_status", "state",
       "cnpstatuses/v2/", false, false, decode_cnp_status},
      {"ccnp-status", "cilium/state/ccnpstatuses/v2/<UID>/<name>/<node> (1.8-1.14)", "policy_status", "state",
       "ccnpstatuses/v2/", false, false, decode_ccnp_status},
      {"heartbeat", "cilium/.heartbeat => RFC 3339 time", "heartbeat", "top", ".heartbeat", false, true,
       decode_heartbeat},
      {"init-lock", "cilium/.initlock/<random>/<leaseHex>", "kvstore_lock", "top", ".initlock/", false, false,
       decode_init_lock},
      {"has-cluster-config", "cilium/.has-cluster-config => true (1.14-1.16)", "", "top", ".has-cluster-config", false,
       true, decode_has_cluster_config},
      {"cluster-config", "cilium/cluster-config/<cluster> => CiliumClusterConfig JSON (1.13+)", "cluster_config", "top",
       "cluster-config/", false, false, decode_cluster_config},
      {"sync-marker", "cilium/synced/<cluster>/<prefix> => RFC 3339 time (1.14+)", "sync_marker", "top", "synced/",
       false, false, decode_sync_marker},
      {"kvstoremesh-lock", "cilium/kvstoremesh-lock/<leaseHex> (1.19+)", "kvstore_lock", "top", "kvstoremesh-lock/",
       false, false, decode_kvstoremesh_lock},
  };
  return kLayouts;
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Finds the layout whose prefix starts `rest` in `area`.
const KeyLayout* match(std::string_view area, std::string_view rest, bool cache, KeyParts& parts) {
  for (const auto& l : key_layouts()) {
    if (area != l.area || (cache && !l.cacheable)) continue;
    std::string_view p = l.prefix;
    if (l.exact ? rest == p : starts_with(rest, p)) {
      parts.tail = rest.substr(p.size());
      return &l;
    }
  }
  return nullptr;
}

}  // namespace

const KeyLayout* classify_key(std::string_view key, KeyParts& parts) {
  parts = KeyParts{};
  if (!starts_with(key, "cilium/")) return nullptr;
  std::string_view rest = key.substr(7);
  if (starts_with(rest, "state/")) {
    parts.scope = "state";
    return match("state", rest.substr(6), false, parts);
  }
  if (starts_with(rest, "cache/")) {
    // cilium/cache/<kind>/v1/<remote>/... mirrors cilium/state/<kind>/v1/...; identities drop the
    // remote segment (cache/identities/v1/<r>/id/N = state/identities/v1/id/N), the others keep it
    // where the state key has its cluster (nodes, services) or address space (ip).
    std::string_view c = rest.substr(6);
    parts.scope = "cache";
    auto v1 = c.find("/v1/");
    if (v1 == std::string_view::npos) return nullptr;
    std::string_view kind = c.substr(0, v1);
    std::string_view after = c.substr(v1 + 4);
    auto slash = after.find('/');
    if (slash == std::string_view::npos || slash == 0) return nullptr;
    parts.cluster = std::string(after.substr(0, slash));
    if (kind == "identities") {
      std::string normalized = "identities/v1/" + std::string(after.substr(slash + 1));
      // The tail must point into `key`, so match on the normalized form and re-slice.
      KeyParts tmp;
      const KeyLayout* l = match("state", normalized, true, tmp);
      if (!l) return nullptr;
      parts.tail = key.substr(key.size() - tmp.tail.size());
      return l;
    }
    std::string_view c_rest = c;  // "<kind>/v1/<remote>/..." has the state shape already
    return match("state", c_rest, true, parts);
  }
  parts.scope = "top";
  return match("top", rest, false, parts);
}

}  // namespace kvsnap
