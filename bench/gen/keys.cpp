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
    std::array<int, 256> o;
    std::iota(o.begin(), o.end(), 0);
    std::sort(o.begin(), o.end(), [](int a, int b) { return std::to_string(a) < std::to_string(b); });
    return o;
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
    key_.create_revision = revision;
    key_.mod_revision = revision;
    key_.version = 1;
    key_.lease_group = lease_group;
    key_.lease = lease_group == 0 ? 0 : kLeaseBase + (lease_group - 1);
  }
  void set_meta(int64_t create_revision, int64_t mod_revision, int64_t version, int lease_group) {
    set_meta(mod_revision, lease_group);
    key_.create_revision = create_revision;
    key_.version = version;
  }

  void node(int n);
  void identity_master(int k);
  void identity_slave(int k, int node, int64_t revision);
  void ipcache(int node, int slot, int entry);
  void changed_ipcache(const PodEvent& event);
  void service(int s);
  void cluster_config();
  void synced_canary();
  void heartbeat();

  // Identity k's slave keys as (node, revision): those of the base state (on the nodes of its
  // base pods) that the later state kept, and those the later state added.
  void kept_slave_keys(int k, std::vector<std::pair<int, int64_t>>& out) const;
  void append_added_slave_keys(int k, std::vector<std::pair<int, int64_t>>& out) const;
  void ipcache_in_key_order();

  const Model& model_;
  const Layout& layout_;
  const ChangeSet& changes_;
  const std::function<void(const GenKey&)>& sink_;
  GenKey key_;
  std::vector<std::string> backends_;
};

void KeyStream::node(int n) {
  key_.key.assign(kNodesPrefix);
  key_.key += model_.options.cluster_name;
  key_.key += '/';
  key_.key += model_.nodes.name(n);
  const int64_t created = layout_.first_revision.nodes + n;
  if (changes_.node_changed(n)) {
    write_node_value(key_.value, model_, n, true);
    set_meta(created, changes_.node_revision(n), 2, n + 1);
  } else {
    write_node_value(key_.value, model_, n, false);
    set_meta(created, n + 1);
  }
  sink_(key_);
}

void KeyStream::identity_master(int k) {
  key_.key.assign(kIdentityIdPrefix);
  append_uint(key_.key, model_.identities[k].number);
  key_.value = model_.identities[k].labels;
  if (k < layout_.identities)
    set_meta(layout_.first_revision.identity_masters + k, 0);
  else
    set_meta(changes_.new_identity_revision[k - layout_.identities], 0);
  sink_(key_);
}

void KeyStream::identity_slave(int k, int node, int64_t revision) {
  key_.key.assign(kIdentityValuePrefix);
  key_.key += model_.identities[k].labels;
  key_.key += '/';
  key_.key += model_.nodes.internal_ip(node);
  key_.value.clear();
  append_uint(key_.value, model_.identities[k].number);
  set_meta(revision, node + 1);
  sink_(key_);
}

void KeyStream::ipcache(int node, int slot, int entry) {
  key_.key.assign(kIpcachePrefix);
  key_.key += ipv4_text(model_.endpoints.address(node, entry));
  write_ipcache_value(key_.value, model_, node, slot, entry);
  set_meta(layout_.first_revision.ipcache + static_cast<int64_t>(node) * layout_.endpoints_per_node + slot,
           node + 1);
  sink_(key_);
}

void KeyStream::changed_ipcache(const PodEvent& event) {
  key_.key.assign(kIpcachePrefix);
  key_.key += ipv4_text(model_.endpoints.address(event.node, event.entry));
  write_changed_ipcache_value(key_.value, model_, event);
  if (event.change == PodChange::Relabelled)  // the same key written again
    set_meta(layout_.first_revision.ipcache +
                 static_cast<int64_t>(event.node) * layout_.endpoints_per_node + event.base_slot,
             event.revision, 2, event.node + 1);
  else  // deleted (Replaced) or never there: created anew
    set_meta(event.revision, event.node + 1);
  sink_(key_);
}

void KeyStream::service(int s) {
  const int k = model_.services[s].identity;
  key_.key.assign(kServicesPrefix);
  key_.key += model_.options.cluster_name;
  key_.key += '/';
  key_.key += model_.identities.namespace_of(k);
  key_.key += '/';
  key_.key += model_.services[s].name;
  const int64_t created = layout_.first_revision.services + s;
  if (changes_.service(s) == ServiceChange::BackendsChanged) {
    write_service_value(key_.value, model_, s, true, backends_);
    set_meta(created, changes_.service_revision[s], 2, operator_group());
  } else {
    write_service_value(key_.value, model_, s, false, backends_);
    set_meta(created, operator_group());
  }
  sink_(key_);
}

void KeyStream::cluster_config() {
  key_.key.assign(kClusterConfigPrefix);
  key_.key += model_.options.cluster_name;
  write_cluster_config_value(key_.value, model_);
  set_meta(layout_.first_revision.cluster_config, operator_group());
  sink_(key_);
}

void KeyStream::synced_canary() {
  key_.key.assign(kSyncedPrefix);
  key_.key += model_.options.cluster_name;
  key_.key += "/cilium/state/services/v1";
  key_.value = "2025-03-10T07:00:04Z";
  set_meta(layout_.first_revision.synced_canary, operator_group());
  sink_(key_);
}

void KeyStream::heartbeat() {
  key_.key.assign(kHeartbeatKey);
  key_.value = "2025-03-10T08:15:00Z";
  if (changes_.active) {  // written every minute since
    const int minutes = 8 * 60 + 15 + changes_.heartbeat_minutes;
    key_.value[11] = static_cast<char>('0' + minutes / 600);
    key_.value[12] = static_cast<char>('0' + minutes / 60 % 10);
    key_.value[14] = static_cast<char>('0' + minutes % 60 / 10);
    key_.value[15] = static_cast<char>('0' + minutes % 10);
    set_meta(layout_.first_revision.heartbeat, changes_.heartbeat_revision, 1 + changes_.heartbeat_minutes,
             operator_group());
  } else {
    set_meta(layout_.first_revision.heartbeat, operator_group());
  }
  sink_(key_);
}

void KeyStream::kept_slave_keys(int k, std::vector<std::pair<int, int64_t>>& out) const {
  out.clear();
  if (k >= layout_.identities) return;
  // The identity's pods are consecutive positions, so on consecutive nodes.
  const uint64_t first_pod = layout_.first_pod_of(k);
  const int64_t first_revision =
      layout_.first_revision.identity_slaves + model_.identities.slave_keys_before(k);
  for (int64_t t = 0; t < layout_.nodes_of(k); ++t) {
    const int node = static_cast<int>((first_pod + static_cast<uint64_t>(t)) % layout_.nodes);
    if (!changes_.slave_key_removed(k, node)) out.emplace_back(node, first_revision + t);
  }
}

void KeyStream::append_added_slave_keys(int k, std::vector<std::pair<int, int64_t>>& out) const {
  const auto& added = changes_.slave_keys_added;
  for (auto it = std::lower_bound(added.begin(), added.end(), SlaveKeyEvent{k, -1, 0});
       it != added.end() && it->identity == k; ++it)
    out.emplace_back(it->node, it->revision);
}

void KeyStream::in_revision_order() {
  std::vector<std::pair<int, int64_t>> slaves;
  for (int n = 0; n < layout_.nodes; ++n)
    if (!changes_.node_changed(n)) node(n);
  for (int k = 0; k < layout_.identities; ++k)
    if (!changes_.deleted(k)) identity_master(k);
  for (int k = 0; k < layout_.identities; ++k) {
    if (changes_.deleted(k)) continue;
    kept_slave_keys(k, slaves);
    for (auto [node, revision] : slaves) identity_slave(k, node, revision);
  }
  for (int n = 0; n < layout_.nodes; ++n)
    for (int slot = 0; slot < layout_.endpoints_per_node; ++slot) {
      const int entry = model_.endpoints.entry_of_slot(n, slot);
      if (!changes_.pod_event(n, entry)) ipcache(n, slot, entry);
    }
  for (int s = 0; s < layout_.services; ++s)
    if (changes_.service(s) == ServiceChange::Unchanged) service(s);
  if (layout_.has_cluster_config) cluster_config();
  if (layout_.has_synced_canary) synced_canary();
  if (changes_.active) {  // the writes after the base state
    node(changes_.labelled_node);
    if (changes_.secondary_cidr_node >= 0 && changes_.secondary_cidr_node != changes_.labelled_node)
      node(changes_.secondary_cidr_node);
    for (int k = layout_.identities; k < model_.identities.size(); ++k) identity_master(k);
    for (const SlaveKeyEvent& added : changes_.slave_keys_added)
      identity_slave(added.identity, added.node, added.revision);
    for (const PodEvent& event : changes_.pod_events)
      if (event.change != PodChange::Removed) changed_ipcache(event);
    for (int s = 0; s < layout_.services; ++s)
      if (changes_.service(s) == ServiceChange::BackendsChanged) service(s);
  }
  heartbeat();
}

// Sorted: cilium/.heartbeat < cilium/cluster-config/ < cilium/state/identities/v1/id/ <
// .../value/ < cilium/state/ip/ < cilium/state/nodes/ < cilium/state/services/ < cilium/synced/.
void KeyStream::in_key_order() {
  heartbeat();
  if (layout_.has_cluster_config) cluster_config();
  for (int k : model_.identities.in_number_order())
    if (!changes_.deleted(k)) identity_master(k);
  std::vector<std::pair<int, int64_t>> slaves;
  for (int k : model_.identities.in_label_order()) {
    if (changes_.deleted(k)) continue;
    kept_slave_keys(k, slaves);
    append_added_slave_keys(k, slaves);
    std::sort(slaves.begin(), slaves.end(), [&](const auto& x, const auto& y) {
      return model_.nodes.internal_ip_rank(x.first) < model_.nodes.internal_ip_rank(y.first);
    });
    for (auto [node, revision] : slaves) identity_slave(k, node, revision);
  }
  ipcache_in_key_order();
  for (int n : model_.nodes.in_name_order()) node(n);
  for (int s : model_.services.in_key_order())
    if (changes_.service(s) != ServiceChange::Removed) service(s);
  if (layout_.has_synced_canary) synced_canary();
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
            if (event->change != PodChange::Removed) changed_ipcache(*event);
          } else if (entry < layout_.endpoints_per_node) {
            ipcache(node, model_.endpoints.slot_of_entry(node, entry), entry);
          }
        }
      } else if (secondary_node >= 0 && prefix >= secondary_first && prefix - secondary_first < block) {
        const uint32_t offset = prefix - secondary_first;
        for (int fourth : octets) {
          const int64_t host = static_cast<int64_t>(offset) + fourth;
          if (host < 1 || host >= block - 1) continue;
          if (const PodEvent* event = changes_.pod_event(secondary_node, primary_entries + static_cast<int>(host - 1)))
            changed_ipcache(*event);
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
