// The key stream of keys.h. Revision order is the order the keys were written: the base state's
// keys that did not change, then (with change_fraction > 0) the later writes. Key order walks
// the tables in the order of their keys' text, so that nothing is sorted at the end.
#include "gen/keys.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "gen/codec.h"
#include "gen/model.h"
#include "gen/values.h"

namespace kvsnap::gen {

namespace {

// 0..255 sorted by their decimal text: the order of an address octet in a key.
const std::array<int, 256>& octets_in_text_order() {
  static const std::array<int, 256> order = [] {
    std::array<int, 256> octets;
    std::iota(octets.begin(), octets.end(), 0);
    std::sort(octets.begin(), octets.end(), [](int a, int b) { return std::to_string(a) < std::to_string(b); });
    return octets;
  }();
  return order;
}

class KeyStream {
 public:
  KeyStream(const Model& model, const std::function<void(const GenKey&)>& sink)
      : model_(model), layout_(model.layout), changes_(model.changes), sink_(sink) {}

  void in_revision_order();
  void in_key_order();

 private:
  // Lease groups: 0 none, node n's agent n + 1, the operator nodes + 1.
  int operator_group() const { return layout_.nodes + 1; }
  // A key written once.
  void set_meta(int64_t revision, int lease_group) {
    kv_.create_revision = revision;
    kv_.mod_revision = revision;
    kv_.version = 1;
    kv_.lease_group = lease_group;
    kv_.lease = lease_group == 0 ? 0 : kLeaseBase + (lease_group - 1);
  }
  void set_meta(int64_t create_revision, int64_t mod_revision, int64_t version, int lease_group) {
    set_meta(mod_revision, lease_group);
    kv_.create_revision = create_revision;
    kv_.version = version;
  }

  void emit_node(int node);
  void emit_identity_master(int identity);
  void emit_identity_slave(int identity, int node, int64_t revision);
  void emit_ipcache(int node, int slot, int entry);
  void emit_changed_ipcache(const PodEvent& event);
  void emit_service(int service);
  void emit_cluster_config();
  void emit_synced_canary();
  void emit_heartbeat();

  // An identity's slave keys as (node, revision): those of the base state (on the nodes of its
  // base pods) that the later state kept, and those the later state added.
  void kept_slave_keys(int identity, std::vector<std::pair<int, int64_t>>& out) const;
  void append_added_slave_keys(int identity, std::vector<std::pair<int, int64_t>>& out) const;
  void ipcache_in_key_order();

  const Model& model_;
  const Layout& layout_;
  const ChangeSet& changes_;
  const std::function<void(const GenKey&)>& sink_;
  GenKey kv_;  // the key being emitted, reused
  std::vector<std::string> backends_;
};

void KeyStream::emit_node(int node) {
  kv_.key.assign(kNodesPrefix);
  kv_.key += model_.options.cluster_name;
  kv_.key += '/';
  kv_.key += model_.nodes.name(node);
  const int64_t created = layout_.first_revision.nodes + node;
  if (changes_.node_changed(node)) {
    write_node_value(kv_.value, model_, node, true);
    set_meta(created, changes_.node_revision(node), 2, node + 1);
  } else {
    write_node_value(kv_.value, model_, node, false);
    set_meta(created, node + 1);
  }
  sink_(kv_);
}

void KeyStream::emit_identity_master(int identity) {
  kv_.key.assign(kIdentityIdPrefix);
  append_uint(kv_.key, model_.identities[identity].number);
  kv_.value = model_.identities[identity].labels;
  if (identity < layout_.identities)
    set_meta(layout_.first_revision.identity_masters + identity, 0);
  else
    set_meta(changes_.new_identity_revision[identity - layout_.identities], 0);
  sink_(kv_);
}

void KeyStream::emit_identity_slave(int identity, int node, int64_t revision) {
  kv_.key.assign(kIdentityValuePrefix);
  kv_.key += model_.identities[identity].labels;
  kv_.key += '/';
  kv_.key += model_.nodes.internal_ip(node);
  kv_.value.clear();
  append_uint(kv_.value, model_.identities[identity].number);
  set_meta(revision, node + 1);
  sink_(kv_);
}

void KeyStream::emit_ipcache(int node, int slot, int entry) {
  kv_.key.assign(kIpcachePrefix);
  kv_.key += ipv4_text(model_.endpoints.address(node, entry));
  write_ipcache_value(kv_.value, model_, node, slot, entry);
  set_meta(layout_.first_revision.ipcache + static_cast<int64_t>(node) * layout_.endpoints_per_node + slot, node + 1);
  sink_(kv_);
}

void KeyStream::emit_changed_ipcache(const PodEvent& event) {
  kv_.key.assign(kIpcachePrefix);
  kv_.key += ipv4_text(model_.endpoints.address(event.node, event.entry));
  write_changed_ipcache_value(kv_.value, model_, event);
  if (event.change == PodChange::Relabelled)  // the same key written again
    set_meta(layout_.first_revision.ipcache + static_cast<int64_t>(event.node) * layout_.endpoints_per_node +
                 event.base_slot,
             event.revision, 2, event.node + 1);
  else  // deleted (Replaced) or never there: created anew
    set_meta(event.revision, event.node + 1);
  sink_(kv_);
}

void KeyStream::emit_service(int service) {
  kv_.key.assign(kServicesPrefix);
  kv_.key += model_.options.cluster_name;
  kv_.key += '/';
  kv_.key += model_.identities.namespace_of(model_.services[service].identity);
  kv_.key += '/';
  kv_.key += model_.services[service].name;
  const int64_t created = layout_.first_revision.services + service;
  if (changes_.service_change(service) == ServiceChange::BackendsChanged) {
    write_service_value(kv_.value, model_, service, true, backends_);
    set_meta(created, changes_.service_revision[service], 2, operator_group());
  } else {
    write_service_value(kv_.value, model_, service, false, backends_);
    set_meta(created, operator_group());
  }
  sink_(kv_);
}

void KeyStream::emit_cluster_config() {
  kv_.key.assign(kClusterConfigPrefix);
  kv_.key += model_.options.cluster_name;
  write_cluster_config_value(kv_.value, model_);
  set_meta(layout_.first_revision.cluster_config, operator_group());
  sink_(kv_);
}

void KeyStream::emit_synced_canary() {
  kv_.key.assign(kSyncedPrefix);
  kv_.key += model_.options.cluster_name;
  kv_.key += "/cilium/state/services/v1";
  kv_.value = "2025-03-10T07:00:04Z";
  set_meta(layout_.first_revision.synced_canary, operator_group());
  sink_(kv_);
}

void KeyStream::emit_heartbeat() {
  kv_.key.assign(kHeartbeatKey);
  kv_.value = "2025-03-10T08:15:00Z";
  if (changes_.active) {  // written every minute since
    const int minutes = 8 * 60 + 15 + changes_.heartbeat_minutes;
    kv_.value[11] = static_cast<char>('0' + minutes / 600);
    kv_.value[12] = static_cast<char>('0' + minutes / 60 % 10);
    kv_.value[14] = static_cast<char>('0' + minutes % 60 / 10);
    kv_.value[15] = static_cast<char>('0' + minutes % 10);
    set_meta(layout_.first_revision.heartbeat, changes_.heartbeat_revision, 1 + changes_.heartbeat_minutes,
             operator_group());
  } else {
    set_meta(layout_.first_revision.heartbeat, operator_group());
  }
  sink_(kv_);
}

void KeyStream::kept_slave_keys(int identity, std::vector<std::pair<int, int64_t>>& out) const {
  out.clear();
  if (identity >= layout_.identities) return;
  // The identity's pods are consecutive positions, so on consecutive nodes.
  const uint64_t first_pod = layout_.first_pod_of(identity);
  const int64_t first_revision = layout_.first_revision.identity_slaves + model_.identities.slave_keys_before(identity);
  for (int64_t pod = 0; pod < layout_.nodes_of(identity); ++pod) {
    const int node = static_cast<int>((first_pod + static_cast<uint64_t>(pod)) % layout_.nodes);
    if (!changes_.slave_key_removed(identity, node)) out.emplace_back(node, first_revision + pod);
  }
}

void KeyStream::append_added_slave_keys(int identity, std::vector<std::pair<int, int64_t>>& out) const {
  const auto& added = changes_.slave_keys_added;
  for (auto it = std::lower_bound(added.begin(), added.end(), SlaveKeyEvent{identity, -1, 0});
       it != added.end() && it->identity == identity; ++it)
    out.emplace_back(it->node, it->revision);
}

void KeyStream::in_revision_order() {
  std::vector<std::pair<int, int64_t>> slaves;
  for (int node = 0; node < layout_.nodes; ++node)
    if (!changes_.node_changed(node)) emit_node(node);
  for (int identity = 0; identity < layout_.identities; ++identity)
    if (!changes_.identity_deleted(identity)) emit_identity_master(identity);
  for (int identity = 0; identity < layout_.identities; ++identity) {
    if (changes_.identity_deleted(identity)) continue;
    kept_slave_keys(identity, slaves);
    for (auto [node, revision] : slaves) emit_identity_slave(identity, node, revision);
  }
  for (int node = 0; node < layout_.nodes; ++node)
    for (int slot = 0; slot < layout_.endpoints_per_node; ++slot) {
      const int entry = model_.endpoints.entry_of_slot(node, slot);
      if (!changes_.pod_event(node, entry)) emit_ipcache(node, slot, entry);
    }
  for (int service = 0; service < layout_.services; ++service)
    if (changes_.service_change(service) == ServiceChange::Unchanged) emit_service(service);
  if (layout_.has_cluster_config) emit_cluster_config();
  if (layout_.has_synced_canary) emit_synced_canary();
  if (changes_.active) {  // the writes after the base state
    emit_node(changes_.labelled_node);
    if (changes_.secondary_cidr_node >= 0 && changes_.secondary_cidr_node != changes_.labelled_node)
      emit_node(changes_.secondary_cidr_node);
    for (int identity = layout_.identities; identity < model_.identities.size(); ++identity)
      emit_identity_master(identity);
    for (const SlaveKeyEvent& added : changes_.slave_keys_added)
      emit_identity_slave(added.identity, added.node, added.revision);
    for (const PodEvent& event : changes_.pod_events)
      if (event.change != PodChange::Removed) emit_changed_ipcache(event);
    for (int service = 0; service < layout_.services; ++service)
      if (changes_.service_change(service) == ServiceChange::BackendsChanged) emit_service(service);
  }
  emit_heartbeat();
}

// Sorted: cilium/.heartbeat < cilium/cluster-config/ < cilium/state/identities/v1/id/ <
// .../value/ < cilium/state/ip/ < cilium/state/nodes/ < cilium/state/services/ < cilium/synced/.
void KeyStream::in_key_order() {
  emit_heartbeat();
  if (layout_.has_cluster_config) emit_cluster_config();
  for (int identity : model_.identities.in_number_order())
    if (!changes_.identity_deleted(identity)) emit_identity_master(identity);
  std::vector<std::pair<int, int64_t>> slaves;
  for (int identity : model_.identities.in_label_order()) {
    if (changes_.identity_deleted(identity)) continue;
    kept_slave_keys(identity, slaves);
    append_added_slave_keys(identity, slaves);
    std::sort(slaves.begin(), slaves.end(), [&](const auto& x, const auto& y) {
      return model_.nodes.internal_ip_rank(x.first) < model_.nodes.internal_ip_rank(y.first);
    });
    for (auto [node, revision] : slaves) emit_identity_slave(identity, node, revision);
  }
  ipcache_in_key_order();
  for (int node : model_.nodes.in_name_order()) emit_node(node);
  for (int service : model_.services.in_key_order())
    if (changes_.service_change(service) != ServiceChange::Removed) emit_service(service);
  if (layout_.has_synced_canary) emit_synced_canary();
}

// Pod addresses are 10.x.y.z: walk x, y and z in the order of their text, and at each x.y the
// node whose pod CIDR (or the secondary pod CIDR) holds it.
void KeyStream::ipcache_in_key_order() {
  const std::array<int, 256>& octets = octets_in_text_order();
  const int host_bits = layout_.pod_cidr_host_bits;
  const uint32_t first = layout_.first_pod_cidr - (10u << 24);
  const uint64_t span = static_cast<uint64_t>(layout_.nodes) << host_bits;
  const uint32_t block = layout_.pod_cidr_size();
  const int primary_entries = layout_.pod_addresses_per_cidr();
  const int secondary_node = changes_.active ? changes_.secondary_cidr_node : -1;
  const uint32_t secondary_first = secondary_node >= 0 ? layout_.secondary_pod_cidr() - (10u << 24) : 0;
  for (int second : octets) {
    for (int third : octets) {
      const uint32_t prefix = (static_cast<uint32_t>(second) << 16) | (static_cast<uint32_t>(third) << 8);
      if (prefix >= first && prefix - first < span) {
        const int node = static_cast<int>((prefix - first) >> host_bits);
        const uint32_t offset = (prefix - first) - (static_cast<uint32_t>(node) << host_bits);
        for (int fourth : octets) {
          const int64_t host = static_cast<int64_t>(offset) + fourth;
          if (host < 2 || host >= 2 + primary_entries) continue;
          const int entry = static_cast<int>(host - 2);
          if (const PodEvent* event = changes_.pod_event(node, entry)) {
            if (event->change != PodChange::Removed) emit_changed_ipcache(*event);
          } else if (entry < layout_.endpoints_per_node) {
            emit_ipcache(node, model_.endpoints.slot_of_entry(node, entry), entry);
          }
        }
      } else if (secondary_node >= 0 && prefix >= secondary_first && prefix - secondary_first < block) {
        const uint32_t offset = prefix - secondary_first;
        for (int fourth : octets) {
          const int64_t host = static_cast<int64_t>(offset) + fourth;
          if (host < 1 || host >= block - 1) continue;
          const int entry = primary_entries + static_cast<int>(host - 1);
          if (const PodEvent* event = changes_.pod_event(secondary_node, entry)) emit_changed_ipcache(*event);
        }
      }
    }
  }
}

}  // namespace

void stream_keys(const Model& model, Order order, const std::function<void(const GenKey&)>& sink) {
  KeyStream stream(model, sink);
  if (order == Order::Revision)
    stream.in_revision_order();
  else
    stream.in_key_order();
}

}  // namespace kvsnap::gen
