// The change model (changes.h): picks what a later state of the cluster changed, within a budget
// of about change_fraction * keys keys, and numbers the writes after the base state.
#include "gen/changes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "gen/model.h"
#include "gen/seeded.h"

namespace kvsnap::gen {

const PodEvent* ChangeSet::pod_event(int node, int entry) const {
  if (!active) return nullptr;
  const auto begin = pod_events.begin() + first_event_of_node[node];
  const auto end = pod_events.begin() + first_event_of_node[node + 1];
  const auto it =
      std::lower_bound(begin, end, entry, [](const PodEvent& event, int wanted) { return event.entry < wanted; });
  return (it != end && it->entry == entry) ? &*it : nullptr;
}

bool ChangeSet::slave_key_removed(int identity, int node) const {
  return active &&
         std::binary_search(slave_keys_removed.begin(), slave_keys_removed.end(), SlaveKeyEvent{identity, node, 0});
}

namespace {

// The shares of the budget each kind of change takes (in keys) are tuned so that the total lands
// near change_fraction * keys at the --keys sizes: each removed pod also takes its slave key,
// each added pod adds one, a fourth of the touched identities have a service whose backends
// change.
class Planner {
 public:
  explicit Planner(Model& model)
      : model_(model),
        layout_(model.layout),
        changes_(model.changes),
        budget_(model.options.change_fraction * static_cast<double>(model.layout.summary.total_keys)) {}

  void plan() {
    changes_.active = true;
    changes_.seed = seeded_hash(model_.options.seed, Purpose::ChangeSeed, model_.options.change_seed);
    add_new_identities();
    pick_changed_nodes();
    delete_identities();
    remove_and_relabel_pods();
    add_pods();
    index_pod_events();
    find_slave_key_changes();
    find_service_changes();
    number_revisions();
    summarize();
  }

 private:
  uint64_t seed() const { return changes_.seed; }
  uint64_t node_count() const { return static_cast<uint64_t>(layout_.nodes); }

  // Pods of a new identity: about as many as a base identity has.
  int pods_per_new_identity() const {
    const double average = static_cast<double>(layout_.pods) / layout_.identities;
    return static_cast<int>(std::clamp<double>(std::llround(average), 1, 30));
  }

  // New identities (a new deployment: "<app>-canary" in the namespace of a base identity, so
  // their label sets are new), at least one when the budget affords one.
  void add_new_identities() {
    const int room = std::min(kIdentityRange - layout_.identities, layout_.identities);
    const double cost = 1 + 2 * pods_per_new_identity();
    const int count = static_cast<int>(
        std::clamp<double>(std::llround(0.08 * budget_ / cost), budget_ >= cost ? std::min(1, room) : 0, room));
    IdentityTable& identities = model_.identities;
    for (int j = 0; j < count; ++j) {
      const int like = static_cast<int>(permute(j, layout_.identities, seed(), Purpose::NewIdentity));
      const uint64_t choice = seeded_hash(seed(), Purpose::NewIdentity, j);
      IdentityChoices choices;
      choices.service_account = choice;
      choices.ports = choice >> 8;
      choices.replicaset_hash = seeded_hash(seed(), Purpose::NewIdentity, j, 1);
      choices.labels = seeded_hash(seed(), Purpose::NewIdentity, j, 2);
      identities.add(identities[like].app + "-canary", identities[like].namespace_index, choices);
    }
    identity_touched_.assign(identities.size(), 0);
    pods_added_to_identity_.assign(identities.size(), 0);
  }

  // One node gets a label; another (>= 1.12, when a block after every pod CIDR fits 10.0.0.0/8
  // and the endpoint ids) a secondary pod CIDR, as cluster-pool IPAM gives a full node.
  void pick_changed_nodes() {
    changes_.labelled_node = static_cast<int>(seeded_hash(seed(), Purpose::ChangedNode, 1) % node_count());
    changes_.zone = std::string("zone-") + static_cast<char>('a' + seeded_hash(seed(), Purpose::ChangedNode, 2) % 3);
    const uint64_t first = layout_.first_pod_cidr - (10u << 24);
    const uint64_t span = node_count() << layout_.pod_cidr_host_bits;
    const uint64_t block = layout_.pod_cidr_size();
    if (layout_.cilium_minor >= 12 && first + span + block <= (1u << 24) &&
        layout_.pod_addresses_per_cidr() + block - 2 <= static_cast<uint64_t>(kMaxEndpointId)) {
      changes_.secondary_cidr_node =
          layout_.nodes == 1 ? changes_.labelled_node
                             : static_cast<int>((changes_.labelled_node + 1 +
                                                 seeded_hash(seed(), Purpose::ChangedNode, 3) % (node_count() - 1)) %
                                                node_count());
    }
  }

  void add_base_pod_event(uint64_t position, PodChange change, int new_identity) {
    PodEvent event;
    event.node = static_cast<int>(position % node_count());
    event.base_slot = static_cast<int>(position / node_count());
    event.entry = model_.endpoints.entry_of_slot(event.node, event.base_slot);
    event.change = change;
    event.old_identity = layout_.identity_of_pod(position);
    event.new_identity = new_identity;
    events_by_node_[event.node].push_back(event);
  }

  // Identities deleted, with every pod (and so every slave key) and their services.
  void delete_identities() {
    changes_.deleted.assign(layout_.identities, 0);
    if (layout_.identities >= 4) {
      const double cost = 2.0 * static_cast<double>(layout_.pods) / layout_.identities + 1 +
                          static_cast<double>(layout_.services) / layout_.identities;
      const int count = static_cast<int>(
          std::clamp<double>(std::llround(0.07 * budget_ / cost), budget_ >= cost ? 1 : 0, layout_.identities / 4));
      for (int i = 0; i < count; ++i)
        changes_.deleted[permute(i, layout_.identities, seed(), Purpose::DeletedIdentity)] = 1;
    }
    events_by_node_.resize(layout_.nodes);
    for (int identity = 0; identity < layout_.identities; ++identity)
      if (changes_.deleted[identity])
        for (uint64_t position = layout_.first_pod_of(identity); position < layout_.first_pod_of(identity + 1);
             ++position)
          add_base_pod_event(position, PodChange::Removed, -1);
  }

  // Another live identity of the identity's namespace (what a relabelled pod gets), or -1. The
  // base identities of a namespace are namespace_index + rank * namespaces.
  int relabel_target(int identity, uint64_t choice) const {
    const int namespaces = model_.identities.namespace_count();
    const int namespace_index = identity % namespaces, rank = identity / namespaces;
    const int in_namespace = (layout_.identities - 1 - namespace_index) / namespaces + 1;
    for (int step = 0; step + 1 < in_namespace; ++step) {
      const int other_rank = static_cast<int>((rank + 1 + (choice + step) % (in_namespace - 1)) % in_namespace);
      const int other = namespace_index + other_rank * namespaces;
      if (!changes_.deleted[other]) return other;
    }
    return -1;
  }

  // Pods gone and pods relabelled (to another identity of their namespace); every identity that
  // is not deleted keeps its first pod, so none goes unused.
  void remove_and_relabel_pods() {
    const int64_t to_remove = std::llround(0.135 * budget_), to_relabel = std::llround(0.09 * budget_);
    int64_t removed = 0, relabelled = 0;
    for (uint64_t i = 0; i < layout_.pods && (removed < to_remove || relabelled < to_relabel); ++i) {
      const uint64_t position = permute(i, layout_.pods, seed(), Purpose::ChangedPod);
      const int identity = layout_.identity_of_pod(position);
      if (changes_.deleted[identity] || position == layout_.first_pod_of(identity)) continue;
      if (removed < to_remove) {
        add_base_pod_event(position, PodChange::Removed, -1);
        ++removed;
        continue;
      }
      const int target = relabel_target(identity, seeded_hash(seed(), Purpose::RelabelTarget, position));
      if (target < 0) continue;
      add_base_pod_event(position, PodChange::Relabelled, target);
      ++relabelled;
    }
  }

  // A new pod of the identity: on the first node from `first_node` on that has a free address
  // (IPAM hands out the unused ones first) or the address of a pod removed from it (the ipcache
  // key then changes); in_secondary: in the secondary pod CIDR. False when none is left.
  bool add_pod(int first_node, int identity, bool in_secondary) {
    for (int step = 0; step < layout_.nodes; ++step) {
      const int node = (first_node + step) % layout_.nodes;
      std::vector<PodEvent>& events = events_by_node_[node];
      PodEvent* event = nullptr;
      if (in_secondary) {
        if (secondary_entries_used_ >= static_cast<int>(layout_.pod_cidr_size()) - 2) return false;
        events.push_back(added_pod(node, layout_.pod_addresses_per_cidr() + secondary_entries_used_++));
        event = &events.back();
      } else if (next_free_entry_[node] < layout_.pod_addresses_per_cidr()) {
        events.push_back(added_pod(node, next_free_entry_[node]++));
        event = &events.back();
      } else {
        for (PodEvent& removed : events)
          if (removed.change == PodChange::Removed) {
            removed.change = PodChange::Replaced;
            event = &removed;
            break;
          }
        if (!event) continue;
      }
      event->new_identity = identity;
      event->name_index = (identity < layout_.identities ? static_cast<int64_t>(layout_.pods_of(identity)) : 0) +
                          pods_added_to_identity_[identity]++;
      return true;
    }
    return false;
  }
  static PodEvent added_pod(int node, int entry) {
    PodEvent event;
    event.node = node;
    event.entry = entry;
    event.change = PodChange::Added;
    return event;
  }
  int live_identity(uint64_t choice) const {
    int identity = static_cast<int>(choice % static_cast<uint64_t>(layout_.identities));
    while (changes_.deleted[identity]) identity = (identity + 1) % layout_.identities;
    return identity;
  }

  // The new identities' pods, new pods of live identities, and a few in the secondary CIDR.
  void add_pods() {
    // Entry pods_per_node is the health endpoint's (also from 1.17 on, when it is not in the
    // ipcache); new pods get the entries after it.
    next_free_entry_.assign(layout_.nodes, layout_.pods_per_node + 1);
    const int per_new_identity = pods_per_new_identity();
    for (int identity = layout_.identities; identity < model_.identities.size(); ++identity)
      for (int pod = 0; pod < per_new_identity; ++pod)
        add_pod(static_cast<int>(
                    permute(pod % layout_.nodes, node_count(), seed() ^ mix(identity), Purpose::NewIdentityNode)),
                identity, false);
    const int64_t to_add = std::llround(0.11 * budget_);
    for (int64_t i = 0; i < to_add; ++i) {
      const uint64_t choice = seeded_hash(seed(), Purpose::AddedPod, i);
      if (!add_pod(static_cast<int>((choice >> 32) % node_count()), live_identity(choice), false)) break;
    }
    const int node = changes_.secondary_cidr_node;
    if (node >= 0) {
      const int count = 3 + static_cast<int>(seeded_hash(seed(), Purpose::SecondaryCidrPods) % 3);
      for (int i = 0; i < count; ++i)
        add_pod(node, live_identity(seeded_hash(seed(), Purpose::SecondaryCidrPods, i + 1)), true);
    }
  }

  void index_pod_events() {
    changes_.first_event_of_node.assign(layout_.nodes + 1, 0);
    for (int node = 0; node < layout_.nodes; ++node) {
      std::sort(events_by_node_[node].begin(), events_by_node_[node].end(),
                [](const PodEvent& a, const PodEvent& b) { return a.entry < b.entry; });
      changes_.first_event_of_node[node + 1] =
          changes_.first_event_of_node[node] + static_cast<int64_t>(events_by_node_[node].size());
    }
    changes_.pod_events.reserve(changes_.first_event_of_node[layout_.nodes]);
    for (std::vector<PodEvent>& events : events_by_node_) {
      changes_.pod_events.insert(changes_.pod_events.end(), events.begin(), events.end());
      std::vector<PodEvent>().swap(events);
    }
  }

  // The base pods of an identity on a node (its positions p with p % nodes == node).
  int64_t base_pods_on(int identity, int node) const {
    if (identity >= layout_.identities) return 0;
    const uint64_t first = layout_.first_pod_of(identity), count = layout_.pods_of(identity);
    // The index among the identity's pods of its first one on the node.
    const uint64_t first_on_node = (static_cast<uint64_t>(node) + node_count() - first % node_count()) % node_count();
    return first_on_node >= count ? 0 : 1 + static_cast<int64_t>((count - 1 - first_on_node) / node_count());
  }

  // A node's first pod of an identity adds its slave key, its last one removes it.
  void find_slave_key_changes() {
    std::map<std::pair<int, int>, int64_t> pods_delta;  // (identity, node) -> pods
    for (const PodEvent& event : changes_.pod_events) {
      if (event.change != PodChange::Added) {
        --pods_delta[{event.old_identity, event.node}];
        identity_touched_[event.old_identity] = 1;
      }
      if (event.change != PodChange::Removed) {
        ++pods_delta[{event.new_identity, event.node}];
        identity_touched_[event.new_identity] = 1;
        changes_.pods_given_identity.push_back({event.new_identity, event.node, event.entry});
      }
    }
    std::sort(changes_.pods_given_identity.begin(), changes_.pods_given_identity.end());
    for (const auto& [identity_node, delta] : pods_delta) {
      const auto [identity, node] = identity_node;
      const int64_t before = base_pods_on(identity, node);
      if (before > 0 && before + delta == 0) changes_.slave_keys_removed.push_back({identity, node, 0});
      if (before == 0 && before + delta > 0) changes_.slave_keys_added.push_back({identity, node, 0});
    }
  }

  // Services gone with their identity, or whose backends changed.
  void find_service_changes() {
    changes_.service_changes.assign(layout_.services, ServiceChange::Unchanged);
    changes_.service_revision.assign(layout_.services, 0);
    std::vector<std::string> before, after;
    for (int service = 0; service < layout_.services; ++service) {
      const int identity = model_.services[service].identity;
      if (changes_.deleted[identity]) {
        changes_.service_changes[service] = ServiceChange::Removed;
      } else if (identity_touched_[identity]) {
        backend_addresses(model_, identity, false, before);
        backend_addresses(model_, identity, true, after);
        if (before != after) changes_.service_changes[service] = ServiceChange::BackendsChanged;
      }
    }
  }

  // Revisions, in the order the writes happen after the base state: nodes, new identities, their
  // slave keys, the ipcache, slave keys released, identities released, services, and the
  // heartbeat last. A delete uses up a revision like a put.
  void number_revisions() {
    int64_t revision = layout_.first_revision.heartbeat + 1;
    changes_.labelled_node_revision = revision++;
    changes_.secondary_cidr_node_revision = secondary_node_differs() ? revision++ : changes_.labelled_node_revision;
    changes_.new_identity_revision.resize(model_.identities.size() - layout_.identities);
    for (int64_t& r : changes_.new_identity_revision) r = revision++;
    for (SlaveKeyEvent& event : changes_.slave_keys_added) event.revision = revision++;
    for (PodEvent& event : changes_.pod_events) {
      if (event.change == PodChange::Replaced) ++revision;  // the delete of the old pod's entry
      event.revision = revision++;
    }
    for (SlaveKeyEvent& event : changes_.slave_keys_removed) event.revision = revision++;
    for (int identity = 0; identity < layout_.identities; ++identity) revision += changes_.deleted[identity];
    for (int service = 0; service < layout_.services; ++service)
      if (changes_.service_changes[service] != ServiceChange::Unchanged)
        changes_.service_revision[service] = revision++;
    changes_.heartbeat_minutes = 20 + static_cast<int>(seeded_hash(seed(), Purpose::HeartbeatDelay) % 40);
    changes_.heartbeat_revision = revision;
  }
  bool secondary_node_differs() const {
    return changes_.secondary_cidr_node >= 0 && changes_.secondary_cidr_node != changes_.labelled_node;
  }

  // The summary describes the later state; its change part how it differs from the base state.
  void summarize() {
    GenSummary& summary = model_.summary;
    ChangeSummary& change = summary.change;
    change.base_keys = summary.total_keys;
    change.base_last_revision = summary.last_revision;
    change.node.changed = secondary_node_differs() ? 2 : 1;
    change.identity.added = model_.identities.size() - layout_.identities;
    for (int identity = 0; identity < layout_.identities; ++identity)
      change.identity.removed += changes_.deleted[identity];
    change.identity_ref.added = static_cast<int64_t>(changes_.slave_keys_added.size());
    change.identity_ref.removed = static_cast<int64_t>(changes_.slave_keys_removed.size());
    for (const PodEvent& event : changes_.pod_events) {
      switch (event.change) {
        case PodChange::Removed:
          ++change.ipcache.removed;
          ++change.pods_removed;
          break;
        case PodChange::Relabelled:
          ++change.ipcache.changed;
          ++change.pods_relabeled;
          break;
        case PodChange::Added:
          ++change.ipcache.added;
          ++change.pods_added;
          break;
        case PodChange::Replaced:
          ++change.ipcache.changed;
          ++change.pods_removed;
          ++change.pods_added;
          ++change.ips_reused;
          break;
      }
      if (event.entry >= layout_.pod_addresses_per_cidr()) ++change.pods_in_secondary;
    }
    for (ServiceChange service : changes_.service_changes) {
      if (service == ServiceChange::BackendsChanged) ++change.service.changed, ++change.services_backends_changed;
      if (service == ServiceChange::Removed) ++change.service.removed, ++change.services_removed;
    }
    change.key.changed = 1;  // the heartbeat
    change.identities_deleted = change.identity.removed;
    change.identities_allocated = change.identity.added;
    change.nodes_changed = change.node.changed;
    change.heartbeat_minutes = changes_.heartbeat_minutes;
    summary.changed = true;
    summary.master_keys += change.identity.added - change.identity.removed;
    summary.slave_keys += change.identity_ref.added - change.identity_ref.removed;
    summary.ipcache_keys += change.ipcache.added - change.ipcache.removed;
    summary.service_keys -= change.service.removed;
    summary.total_keys = summary.master_keys + summary.slave_keys + summary.ipcache_keys + summary.node_keys +
                         summary.service_keys + summary.other_keys;
    summary.last_revision = changes_.heartbeat_revision;
  }

  Model& model_;
  const Layout& layout_;
  ChangeSet& changes_;
  const double budget_;  // about this many keys differ
  std::vector<std::vector<PodEvent>> events_by_node_;
  std::vector<int> next_free_entry_;             // per node
  std::vector<int64_t> pods_added_to_identity_;  // per identity
  int secondary_entries_used_ = 0;
  std::vector<char> identity_touched_;  // an event removed or added one of its pods
};

}  // namespace

void plan_changes(Model& model) { Planner(model).plan(); }

}  // namespace kvsnap::gen
