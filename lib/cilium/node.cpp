// Node entries: cilium/state/nodes/v1/<cluster>/<node> => types.Node JSON, their cache copies,
// and noderegister entries of external workloads.
#include <fmt/format.h>

#include <vector>

#include "cilium/json_fields.h"
#include "cilium/layouts.h"
#include "net/ip.h"
#include "util/codec.h"

namespace kvsnap {
namespace {

namespace jf = json_fields;

const TableSpec kNode{"node",
                      {"scope", "key_cluster", "key_name", "name", "cluster", "cluster_id", "source", "encryption_key",
                       "node_identity", "ipv4_health_ip", "ipv6_health_ip", "ipv4_ingress_ip", "ipv6_ingress_ip",
                       "wireguard_pub_key", "boot_id", "labels", "annotations"}};
const TableSpec kNodeAddress{"node_address", {"scope", "cluster", "node", "type", "family", "ip", "ip_bin"}};
const TableSpec kNodeCidr{"node_cidr",
                          {"scope", "cluster", "node", "family", "kind", "cidr", "ip", "prefix_len", "start_bin",
                           "end_bin", "network_address"}};

struct NodeAddress {
  std::string type, text;
  IpAddr ip;
};
struct NodeCidr {
  std::string kind, ip_text;
  Cidr cidr;
};

// A *cidr.CIDR, which embeds *net.IPNet: {"IP":"10.0.1.0","Mask":"////AA=="}. nullopt when it
// has no IP or no mask (Go decodes that, but it holds no network).
std::optional<NodeCidr> node_cidr(const jf::Struct& c, std::string_view field, const char* kind) {
  auto ip = jf::ip(c, "IP");
  auto mask = jf::mask(c, "Mask");
  if (!ip || !mask) return std::nullopt;
  std::string why;
  auto cidr = make_cidr(ip->addr, *mask, &why);
  if (!cidr) throw DecodeError(fmt::format("field {}: {}", field, why));
  return NodeCidr{kind, ip->text, *cidr};
}

void decode_node_value(const Record& r, std::string_view scope, std::optional<std::string_view> key_cluster,
                       std::string_view key_name, RowWriter& out) {
  // types.Node (no JSON tags: the Go field names). Every field is read before anything is
  // written: a node is written whole or not at all, and a type error anywhere drops it.
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  std::vector<NodeAddress> addresses;
  if (auto arr = jf::slice(o, "IPAddresses")) {
    for (auto a : arr->items()) {
      auto address = jf::element(a, "IPAddresses[]");
      auto type = jf::str(address, "Type").value_or("");
      if (auto ip = jf::ip(address, "IP")) addresses.push_back({type, ip->text, ip->addr});
    }
  }
  std::optional<jf::Ip> health_ingress[4];
  const char* health_ingress_fields[4] = {"IPv4HealthIP", "IPv6HealthIP", "IPv4IngressIP", "IPv6IngressIP"};
  for (int i = 0; i < 4; ++i) {
    health_ingress[i] = jf::ip(o, health_ingress_fields[i]);
    if (health_ingress[i])
      addresses.push_back({i < 2 ? "HealthIP" : "IngressIP", health_ingress[i]->text, health_ingress[i]->addr});
  }
  std::vector<NodeCidr> cidrs;
  for (const char* f : {"IPv4AllocCIDR", "IPv6AllocCIDR"}) {
    if (auto c = jf::pointer(o, f))
      if (auto cidr = node_cidr(*c, f, "primary")) cidrs.push_back(*cidr);
  }
  for (const char* f : {"IPv4SecondaryAllocCIDRs", "IPv6SecondaryAllocCIDRs"}) {
    if (auto arr = jf::slice(o, f))
      for (auto v : arr->items())
        if (auto c = jf::element_pointer(v, std::string(f) + "[]"))
          if (auto cidr = node_cidr(*c, f, "secondary")) cidrs.push_back(*cidr);
  }
  std::string name = jf::str(o, "Name").value_or("");
  std::string cluster = jf::str(o, "Cluster").value_or("");
  int64_t cluster_id = int64_t(jf::uint(o, "ClusterID", 32).value_or(0));
  std::string source = jf::str(o, "Source").value_or("");
  int64_t enc = int64_t(jf::uint(o, "EncryptionKey", 8).value_or(0));
  int64_t node_identity = int64_t(jf::uint(o, "NodeIdentity", 32).value_or(0));
  std::string wg = jf::str(o, "WireguardPubKey").value_or("");
  std::string boot = jf::str(o, "BootID").value_or("");
  auto labels = jf::string_map(o, "Labels");
  auto annotations = jf::string_map(o, "Annotations");
  auto text = [](const std::optional<jf::Ip>& ip) { return ip ? std::optional<std::string>(ip->text) : std::nullopt; };

  SqlValue kc = key_cluster ? SqlValue(*key_cluster) : SqlValue();
  auto h4 = text(health_ingress[0]), h6 = text(health_ingress[1]), i4 = text(health_ingress[2]),
       i6 = text(health_ingress[3]);
  out.insert(kNode, {scope, kc, key_name, name, cluster, cluster_id, source, enc, node_identity, h4, h6, i4, i6, wg,
                     boot, labels, annotations});
  // Address and CIDR rows name the node by its key, the identity the other tables join on.
  for (const auto& a : addresses)
    out.insert(kNodeAddress, {scope, kc, key_name, a.type, a.ip.family(), a.text, SqlValue::blob(a.ip.blob())});
  for (const auto& c : cidrs)
    out.insert(kNodeCidr,
               {scope, kc, key_name, c.cidr.addr.family(), c.kind, c.cidr.to_string(), c.ip_text, c.cidr.prefix_len,
                SqlValue::blob(c.cidr.start.blob()), SqlValue::blob(c.cidr.end.blob()), c.cidr.network_address});
}

}  // namespace

void decode_node(const Record& r, const KeyParts& p, RowWriter& out) {
  auto slash = p.tail.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.tail.size() ||
      p.tail.find('/', slash + 1) != std::string_view::npos)
    throw DecodeError("key has no <cluster>/<node> form");
  decode_node_value(r, p.scope, p.tail.substr(0, slash), p.tail.substr(slash + 1), out);
}

void decode_node_register(const Record& r, const KeyParts& p, RowWriter& out) {
  if (p.tail.empty() || p.tail.find('/') != std::string_view::npos) throw DecodeError("key has no <node> form");
  decode_node_value(r, "register", std::nullopt, p.tail, out);
}

}  // namespace kvsnap
