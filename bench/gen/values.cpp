// The JSON values of values.h. Where a field depends on the Cilium minor version, the condition
// says from (and up to) which minor the agents and operator write it.
#include "gen/values.h"

#include <string_view>

#include "gen/codec.h"
#include "gen/model.h"
#include "gen/seeded.h"
#include "util/codec.h"

namespace kvsnap::gen {

namespace {

// The 4-byte netmask of a node's pod CIDR, base64 (Go's encoding/json of net.IPMask).
std::string pod_cidr_mask_base64(const Layout& layout) {
  const uint32_t mask = ~(layout.pod_cidr_size() - 1);
  const char bytes[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16), static_cast<char>(mask >> 8),
                         static_cast<char>(mask)};
  return kvsnap::base64_encode(std::string_view(bytes, 4));
}

// A random (version 4) UUID, fixed by the seed and the node.
void append_boot_id(std::string& out, uint64_t seed, int node) {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t first_half = seeded_hash(seed, Purpose::BootIdFirstHalf, node);
  const uint64_t second_half = seeded_hash(seed, Purpose::BootIdSecondHalf, node);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    const uint64_t source = i < 16 ? first_half : second_half;
    int nibble = static_cast<int>((source >> (4 * (i % 16))) & 15);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    out += kHex[nibble];
  }
}

// An ipcache value up to its "ID" (the number follows).
void begin_ipcache_value(std::string& out, const Model& model, int node, int entry) {
  out.clear();
  out += "{\"IP\":\"";
  out += ipv4_text(model.endpoints.address(node, entry));
  out += "\",\"Mask\":null,\"HostIP\":\"";
  out += model.nodes.internal_ip(node);
  out += "\",\"ID\":";
}

void append_named_ports(std::string& out, PortSet ports) {
  if (ports == PortSet::Unnamed) return;  // omitempty
  out += ",\"NamedPorts\":[{\"Name\":\"http\",\"Port\":8080,\"Protocol\":\"TCP\"}";
  if (ports == PortSet::HttpAndMetrics) out += ",{\"Name\":\"metrics\",\"Port\":9090,\"Protocol\":\"TCP\"}";
  out += ']';
}

// The rest of a pod's ipcache value from its identity number: the endpoint, and the namespace,
// pod name (index name_index of pod_identity's pods), service account and named ports of
// pod_identity (a relabelled pod keeps its own).
void end_pod_value(std::string& out, const Model& model, int node, int endpoint_slot_or_entry, uint32_t identity_number,
                   int pod_identity, uint64_t name_index) {
  const Identity& identity = model.identities[pod_identity];
  append_uint(out, identity_number);
  out += ",\"Key\":0,\"Metadata\":\"cilium-global:default:";
  out += model.nodes.name(node);
  out += ':';
  append_int(out, model.endpoints.endpoint_id(node, endpoint_slot_or_entry));
  out += "\",\"K8sNamespace\":\"";
  out += model.identities.namespace_of(pod_identity);
  out += "\",\"K8sPodName\":\"";
  model.identities.append_pod_name(out, pod_identity, name_index);
  out += '"';
  if (model.layout.cilium_minor >= 19) {
    out += ",\"K8sServiceAccount\":\"";
    out += identity.service_account;
    out += '"';
  }
  append_named_ports(out, identity.ports);
  out += '}';
}

// A service's port map: its frontend ports (80) or its backends' (8080).
void append_service_ports(std::string& out, PortSet ports, bool frontend) {
  out += '{';
  if (ports == PortSet::Unnamed) {
    out += frontend ? "\"\":{\"Protocol\":\"TCP\",\"Port\":80}" : "\"\":{\"Protocol\":\"TCP\",\"Port\":8080}";
  } else {
    out += frontend ? "\"http\":{\"Protocol\":\"TCP\",\"Port\":80}" : "\"http\":{\"Protocol\":\"TCP\",\"Port\":8080}";
    if (ports == PortSet::HttpAndMetrics) out += ",\"metrics\":{\"Protocol\":\"TCP\",\"Port\":9090}";
  }
  out += '}';
}

}  // namespace

void write_node_value(std::string& out, const Model& model, int node, bool later) {
  const int minor = model.layout.cilium_minor;
  const ChangeSet& changes = model.changes;
  const std::string& name = model.nodes.name(node);
  const uint32_t pod_cidr = model.layout.pod_cidr(node);
  const std::string mask = pod_cidr_mask_base64(model.layout);
  out.clear();
  out += "{\"Name\":\"";
  out += name;
  out += "\",\"Cluster\":\"";
  out += model.options.cluster_name;
  out += "\",\"IPAddresses\":[{\"Type\":\"InternalIP\",\"IP\":\"";
  out += model.nodes.internal_ip(node);
  out += "\"},{\"Type\":\"CiliumInternalIP\",\"IP\":\"";
  out += ipv4_text(pod_cidr + 1);  // the router
  out += "\"}],\"IPv4AllocCIDR\":{\"IP\":\"";
  out += ipv4_text(pod_cidr);
  out += "\",\"Mask\":\"";
  out += mask;
  out += "\"},";
  if (minor >= 12 && later && node == changes.secondary_cidr_node) {
    out += "\"IPv4SecondaryAllocCIDRs\":[{\"IP\":\"";
    out += ipv4_text(model.layout.secondary_pod_cidr());
    out += "\",\"Mask\":\"";
    out += mask;
    out += "\"}],";
  } else if (minor >= 12) {
    out += "\"IPv4SecondaryAllocCIDRs\":null,";
  }
  out += "\"IPv6AllocCIDR\":null,";
  if (minor >= 12) out += "\"IPv6SecondaryAllocCIDRs\":null,";
  out += "\"IPv4HealthIP\":\"";
  out += ipv4_text(model.endpoints.health_address(node));
  out += "\",\"IPv6HealthIP\":\"\",";
  if (minor >= 12) out += "\"IPv4IngressIP\":\"\",\"IPv6IngressIP\":\"\",";
  out += "\"ClusterID\":";
  append_uint(out, model.options.cluster_id);
  out +=
      ",\"Source\":\"local\",\"EncryptionKey\":0,\"Labels\":{\"kubernetes.io/arch\":\"amd64\","
      "\"kubernetes.io/hostname\":\"";
  out += name;
  out += "\",\"kubernetes.io/os\":\"linux\"";
  if (later && node == changes.labelled_node) {
    out += ",\"topology.kubernetes.io/zone\":\"";
    out += changes.zone;
    out += '"';
  }
  out += '}';
  if (minor >= 13) out += ",\"Annotations\":null";
  if (minor >= 9 && minor <= 19) out += ",\"NodeIdentity\":1";
  if (minor >= 10) out += ",\"WireguardPubKey\":\"\"";
  if (minor >= 14) {
    out += ",\"BootID\":\"";
    append_boot_id(out, model.options.seed, node);
    out += '"';
  }
  out += '}';
}

void write_ipcache_value(std::string& out, const Model& model, int node, int slot, int entry) {
  const Layout& layout = model.layout;
  begin_ipcache_value(out, model, node, entry);
  if (slot == layout.pods_per_node) {  // cilium-health
    out += "4,\"Key\":0,\"Metadata\":\"cilium-global:default:";
    out += model.nodes.name(node);
    out += ':';
    append_int(out, model.endpoints.endpoint_id(node, slot));
    out += "\"}";
    return;
  }
  const uint64_t position = static_cast<uint64_t>(slot) * layout.nodes + node;
  const int identity = layout.identity_of_pod(position);
  end_pod_value(out, model, node, slot, model.identities[identity].number, identity,
                position - layout.first_pod_of(identity));
}

void write_changed_ipcache_value(std::string& out, const Model& model, const PodEvent& event) {
  const Layout& layout = model.layout;
  begin_ipcache_value(out, model, event.node, event.entry);
  const uint32_t number = model.identities[event.new_identity].number;
  if (event.change == PodChange::Relabelled) {  // the same pod with another identity
    const uint64_t position = static_cast<uint64_t>(event.base_slot) * layout.nodes + event.node;
    end_pod_value(out, model, event.node, event.base_slot, number, event.old_identity,
                  position - layout.first_pod_of(event.old_identity));
  } else {
    // A new endpoint id: the entry's (entries past the slots are no base slot's), or the one the
    // removed pod at this address released (Cilium reuses released ids).
    end_pod_value(out, model, event.node, event.change == PodChange::Replaced ? event.base_slot : event.entry, number,
                  event.new_identity, event.name_index);
  }
}

void write_service_value(std::string& out, const Model& model, int service, bool later,
                         std::vector<std::string>& backends) {
  const int minor = model.layout.cilium_minor;
  const int backend_identity = model.services[service].identity;
  const Identity& identity = model.identities[backend_identity];
  out.clear();
  out += "{\"cluster\":\"";
  out += model.options.cluster_name;
  out += "\",\"namespace\":\"";
  out += model.identities.namespace_of(backend_identity);
  out += "\",\"name\":\"";
  out += model.services[service].name;
  out += "\",\"frontends\":{\"";
  out += ipv4_text(service_cluster_ip(service, model.options.seed));
  out += "\":";
  append_service_ports(out, identity.ports, true);
  out += "},\"backends\":{";
  backend_addresses(model, backend_identity, later, backends);  // a Go map: keys sorted
  for (size_t i = 0; i < backends.size(); ++i) {
    if (i) out += ',';
    out += '"';
    out += backends[i];
    out += "\":";
    append_service_ports(out, identity.ports, false);
  }
  out += '}';
  if (minor >= 16 && minor <= 18) out += ",\"hostnames\":{}";
  out += ",\"labels\":{\"app\":\"";
  out += identity.app;
  out += "\"},\"selector\":{\"app\":\"";
  out += identity.app;
  out += "\"}";
  if (minor >= 11) out += ",\"includeExternal\":true,\"shared\":true";
  if (minor >= 14) {
    out += ",\"clusterID\":";
    append_uint(out, model.options.cluster_id);
  }
  out += '}';
}

void write_cluster_config_value(std::string& out, const Model& model) {
  out = "{\"id\":";
  append_uint(out, model.options.cluster_id);
  out += ",\"capabilities\":{\"maxConnectedClusters\":255";
  if (model.layout.cilium_minor >= 17) out += ",\"serviceExportsEnabled\":false";
  out += "}}";
}

}  // namespace kvsnap::gen
