#pragma once
// The JSON values Cilium's agents and operator write, byte for byte in the shape of the model's
// Cilium minor version. Each writer replaces `out` with the value.
#include <string>
#include <vector>

#include "gen/changes.h"

namespace kvsnap::gen {

struct Model;

// cilium/state/nodes/v1/<cluster>/<node>. later: in the later state (a new label, a secondary
// pod CIDR).
void write_node_value(std::string& out, const Model& model, int node, bool later);

// cilium/state/ip/v1/default/<address> of a node's endpoint slot in the base state.
void write_ipcache_value(std::string& out, const Model& model, int node, int slot, int entry);
// The same key of an address the later state changed (not Removed).
void write_changed_ipcache_value(std::string& out, const Model& model, const PodEvent& event);

// cilium/state/services/v1/<cluster>/<namespace>/<name>; `backends` is scratch space.
void write_service_value(std::string& out, const Model& model, int service, bool later,
                         std::vector<std::string>& backends);

// cilium/cluster-config/<cluster>.
void write_cluster_config_value(std::string& out, const Model& model);

}  // namespace kvsnap::gen
