#pragma once
// Deterministic synthetic Cilium kvstore ("kvstore mode": agents write identities, ipcache and
// their node entry; the operator writes services, heartbeat, cluster config and the services
// sync canary). Every value is byte-exact in the shape the chosen Cilium minor version writes
// (the keys and values are described in docs/cilium-kvstore.md).
//
// The generator never holds all keys: it keeps per-entity tables whose size is O(nodes +
// identities + services) and streams keys through a callback, either in revision order (the
// order they were "written") or sorted byte-wise by key (the order etcd returns a range in).
//
// change_fraction > 0 gives a later state of the same cluster, as a second support bundle would
// show it: pods gone (ipcache entries and, with a node's last pod of an identity, the slave key
// removed), pods added (new IPs inside their node's pod CIDR, slave keys where the node had no pod
// of that identity), endpoints that changed identity (within their namespace), identities deleted
// with all their pods and services, new identities allocated with pods and slave keys, one node's
// labels and another's secondary pod CIDR (with pods in it), services whose backends changed, and
// the heartbeat later. Every key that does not change is byte for byte the change_fraction 0 key
// (same value, revisions and lease); changed and added keys get revisions after the old state's,
// in etcd's order of the writes (deletions use up a revision each). The changes are picked once
// when the Cluster is built and kept in tables whose size is O(changed keys + nodes).
//
// The parts, by concern: layout.h (sizes, pod CIDRs, revisions), nodes.h, identities.h,
// endpoints.h (addresses and endpoint ids), services.h, changes.h (the later state), values.h
// (the JSON values per Cilium version), keys.h (key names and their order), model.h (all of it
// together), output.h (the dump formats).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kvsnap::gen {

struct GenOptions {
  int nodes = 4;
  int identities = 20;
  int pods_per_node = 15;
  int services = 5;
  uint64_t seed = 1;
  std::string cluster_name = "default";
  uint32_t cluster_id = 0;
  // The Cilium minor whose value shapes to write: "1.16", "v1.16", "1.16.3" (the patch is
  // ignored). kvgen --help says which minors the generator knows.
  std::string cilium_version = "1.16";
  // 0: the cluster as generated. F in (0, 0.25]: a later state of it in which about F of the
  // keys were added, removed or changed (see the top of this file); change_seed picks which.
  double change_fraction = 0;
  uint64_t change_seed = 1;
};

struct GenKey {
  std::string key;
  std::string value;
  int64_t lease = 0;  // etcd lease id, 0 = none
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 1;
  int lease_group = 0;  // 0 = no lease; 1..nodes = agent of node index g-1; nodes+1 = operator
};

enum class Order {
  Revision,  // ascending revision = the order in which the keys were written
  Sorted,    // byte-wise ascending key = etcd range order
};

// Key prefixes (Cilium's constants) used by the generator.
inline constexpr std::string_view kHeartbeatKey = "cilium/.heartbeat";
inline constexpr std::string_view kClusterConfigPrefix = "cilium/cluster-config/";
inline constexpr std::string_view kIdentityIdPrefix = "cilium/state/identities/v1/id/";
inline constexpr std::string_view kIdentityValuePrefix = "cilium/state/identities/v1/value/";
inline constexpr std::string_view kIpcachePrefix = "cilium/state/ip/v1/default/";
inline constexpr std::string_view kNodesPrefix = "cilium/state/nodes/v1/";
inline constexpr std::string_view kServicesPrefix = "cilium/state/services/v1/";
inline constexpr std::string_view kSyncedPrefix = "cilium/synced/";

// First lease id; node agent n holds kLeaseBase + n, the operator kLeaseBase + nodes.
inline constexpr int64_t kLeaseBase = 7587861234567890433;  // 0x694d7f9733604601

// Keys of one kvdiff entity type that the change (change_fraction > 0) added, removed or changed.
struct KeyChanges {
  int64_t added = 0, removed = 0, changed = 0;
  int64_t total() const { return added + removed + changed; }
};

// What change_fraction > 0 did, against the change_fraction 0 state. Keys are counted per kvdiff
// entity type (each key is one entity; a new identity never reuses a deleted one's label set, so
// kvdiff reports no "moved" identity): its summary should show exactly these numbers.
struct ChangeSummary {
  KeyChanges node, identity, identity_ref, ipcache, service, key;  // key: heartbeat
  KeyChanges total() const;
  int64_t base_keys = 0;           // keys of the change_fraction 0 state
  int64_t base_last_revision = 0;  // its store revision
  // The events behind them.
  int64_t pods_removed = 0;       // base pods gone (incl. those of deleted identities)
  int64_t pods_relabeled = 0;     // endpoints that changed identity (same IP, pod, namespace)
  int64_t pods_added = 0;         // new pods (scale-ups and new identities' pods)
  int64_t ips_reused = 0;         // new pods on the address of a removed one (ipcache "changed")
  int64_t pods_in_secondary = 0;  // new pods in the new secondary pod CIDR
  int64_t identities_deleted = 0;
  int64_t identities_allocated = 0;
  int64_t services_removed = 0;  // services of deleted identities
  int64_t services_backends_changed = 0;
  int64_t nodes_changed = 0;  // one's labels, another's secondary pod CIDR (one node if 1)
  int heartbeat_minutes = 0;  // how much later the heartbeat is
};

// Numbers that follow from the options; computed without generating any key (with
// change_fraction > 0 from the tables the Cluster builds). They describe the state generated.
struct GenSummary {
  int nodes = 0, identities = 0, pods_per_node = 0, services = 0;
  int cilium_minor = 0;           // the minor of GenOptions::cilium_version
  int pod_cidr_prefix_len = 24;   // per-node pod CIDR size (24 unless pods do not fit a /24)
  bool health_in_ipcache = true;  // agents publish their cilium-health endpoint (< 1.17)
  int64_t master_keys = 0;        // cilium/state/identities/v1/id/*
  int64_t slave_keys = 0;         // cilium/state/identities/v1/value/*
  int64_t ipcache_keys = 0;       // cilium/state/ip/v1/default/*
  int64_t node_keys = 0;          // cilium/state/nodes/v1/*
  int64_t service_keys = 0;       // cilium/state/services/v1/*
  int64_t other_keys = 0;         // heartbeat, cluster-config, synced canary
  int64_t total_keys = 0;
  int64_t leases = 0;            // distinct leases (nodes + operator)
  int64_t first_revision = 2;    // etcd's first put gets revision 2
  int64_t last_revision = 0;     // = store revision after all puts
  uint64_t etcd_cluster_id = 0;  // for the etcd-json header
  uint64_t etcd_member_id = 0;
  uint64_t raft_term = 2;
  bool changed = false;  // change_fraction > 0
  ChangeSummary change;  // when changed
};

// Node/pod facts for tests and callers.
struct NodeInfo {
  std::string name;
  std::string internal_ip;  // 192.168.x.y
  std::string router_ip;    // CiliumInternalIP
  std::string health_ip;
  uint32_t pod_cidr = 0;  // network address (host byte order)
  int pod_cidr_len = 24;
};

struct Model;

// Throws std::invalid_argument when the options cannot describe a healthy cluster.
class Cluster {
 public:
  explicit Cluster(GenOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const GenOptions& options() const;
  const GenSummary& summary() const;

  // Streams every key. The GenKey passed to the callback is reused between calls.
  void generate(Order order, const std::function<void(const GenKey&)>& sink) const;

  // Indices from 0: node in [0, nodes), identity in [0, identities) (a later state's new
  // identities after those). Out of range throws std::out_of_range.
  NodeInfo node(int index) const;
  std::string identity_labels(int index) const;  // canonical label string
  uint32_t identity_id(int index) const;         // numeric identity

 private:
  std::unique_ptr<const Model> model_;
};

// Parses "1.16", "v1.16", "1.16.3"; returns the minor version or -1.
int parse_cilium_minor(std::string_view version);

// Picks nodes/identities/services proportionally to `keys` (keys/500, keys/50, keys/200) and
// solves pods_per_node so that the total is as close to `keys` as possible. Other fields
// (seed, cluster, version) are taken from `base`.
GenOptions options_for_keys(int64_t keys, const GenOptions& base);

// Counts without building the cluster (cheap: O(identities)); with change_fraction > 0 it builds
// one (the changes are picked when it is built). Throws like Cluster().
GenSummary summarize(const GenOptions& opts);

}  // namespace kvsnap::gen
