#pragma once
// The change model of change_fraction > 0: what a later state of the cluster changed against the
// base state (see cluster.h), picked once when the Cluster is built and kept in tables whose
// size is O(changed keys + nodes).
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace kvsnap::gen {

struct Model;

enum class PodChange : uint8_t {
  Removed,     // the base pod went (its ipcache key is deleted)
  Relabelled,  // the base pod changed identity (same address, pod and namespace)
  Added,       // a new pod on an address no base pod had
  Replaced,    // the base pod went and a new pod got its address
};

// One endpoint address of a node whose ipcache key is not the base state's.
struct PodEvent {
  int32_t node = 0;
  int32_t entry = 0;  // its address (see endpoints.h)
  PodChange change = PodChange::Removed;
  int32_t base_slot = -1;     // the slot of the base pod that was there (not Added)
  int32_t old_identity = -1;  // that pod's identity
  int32_t new_identity = -1;  // the identity after (not Removed)
  int64_t name_index = 0;     // the new pod's name index within new_identity (Added, Replaced)
  int64_t revision = 0;       // of the put (Removed: of the delete)
};

// A slave key (identity, node) that the later state added or removed.
struct SlaveKeyEvent {
  int32_t identity = 0;
  int32_t node = 0;
  int64_t revision = 0;
  bool operator<(const SlaveKeyEvent& other) const {
    return identity != other.identity ? identity < other.identity : node < other.node;
  }
};

// A pod that got an identity in the later state (Relabelled, Added, Replaced).
struct PodOfIdentity {
  int identity = 0;
  int node = 0;
  int entry = 0;
  auto operator<=>(const PodOfIdentity&) const = default;
};

enum class ServiceChange : uint8_t { Unchanged, BackendsChanged, Removed };

struct ChangeSet {
  bool active = false;  // change_fraction > 0; when false every lookup below says "unchanged"
  uint64_t seed = 0;    // of every change choice

  std::vector<char> deleted;                       // per base identity: deleted with its pods
  std::vector<int64_t> new_identity_revision;      // of new identity layout.identities + j's master key
  std::vector<PodEvent> pod_events;                // by node, then entry
  std::vector<int64_t> first_event_of_node;        // node n's: pod_events[first[n] .. first[n + 1])
  std::vector<SlaveKeyEvent> slave_keys_added;     // by (identity, node)
  std::vector<SlaveKeyEvent> slave_keys_removed;   // by (identity, node)
  std::vector<PodOfIdentity> pods_given_identity;  // sorted
  std::vector<ServiceChange> service_changes;      // per service
  std::vector<int64_t> service_revision;           // of the changed ones

  int labelled_node = -1;  // the node that got a label
  std::string zone;        // its value
  int64_t labelled_node_revision = 0;
  int secondary_cidr_node = -1;  // the node that got a secondary pod CIDR (-1: none fits)
  int64_t secondary_cidr_node_revision = 0;
  int heartbeat_minutes = 0;  // how much later the heartbeat is
  int64_t heartbeat_revision = 0;

  bool node_changed(int node) const { return active && (node == labelled_node || node == secondary_cidr_node); }
  int64_t node_revision(int node) const {
    return node == labelled_node ? labelled_node_revision : secondary_cidr_node_revision;
  }
  // Whether a base identity was deleted (never a new one).
  bool identity_deleted(int identity) const {
    return active && identity < static_cast<int>(deleted.size()) && deleted[identity];
  }
  const PodEvent* pod_event(int node, int entry) const;
  bool slave_key_removed(int identity, int node) const;
  ServiceChange service_change(int service) const {
    return active ? service_changes[service] : ServiceChange::Unchanged;
  }
};

// Picks the changes of model.options (change_fraction > 0) into model.changes: appends the new
// identities to model.identities (before their key orders are sorted) and turns model.summary
// into the later state's.
void plan_changes(Model& model);

}  // namespace kvsnap::gen
