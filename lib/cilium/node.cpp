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

IpAddr require_ip(const std::string& text, std::string_view field) {
  auto ip = parse_ip(text);
  if (!ip) throw DecodeError(fmt::format("field {}: '{}' is not an IP address", field, text));
  return *ip;
}

// {"IP":"10.0.1.0","Mask":"////AA=="} (a *cidr.CIDR embedding net.IPNet)
NodeCidr parse_cidr_object(const boost::json::value& v, std::string_view field, const char* kind) {
  if (!v.is_object()) throw DecodeError(fmt::format("field {}: expected an object", field));
  const auto& o = v.as_object();
  auto ip_text = jf::str(o, "IP");
  auto mask_b64 = jf::str(o, "Mask");
  if (!ip_text || !mask_b64) throw DecodeError(fmt::format("field {}: IP and Mask are required", field));
  IpAddr ip = require_ip(*ip_text, field);
  auto mask = base64_decode(*mask_b64);
  if (!mask) throw DecodeError(fmt::format("field {}: Mask is not base64", field));
  std::string why;
  auto c = make_cidr(ip, *mask, &why);
  if (!c) throw DecodeError(fmt::format("field {}: {}", field, why));
  return {kind, *ip_text, *c};
}

void decode_node_value(const Record& r, std::string_view scope, std::optional<std::string_view> key_cluster,
                       std::string_view key_name, RowWriter& out) {
  auto o = jf::parse_object(r.value);
  // Parse everything first: a node is written whole or not at all.
  std::vector<NodeAddress> addresses;
  if (const auto* arr = jf::array(o, "IPAddresses")) {
    for (const auto& a : *arr) {
      if (!a.is_object()) throw DecodeError("field IPAddresses: expected objects");
      auto type = jf::str(a.as_object(), "Type").value_or("");
      auto ip = jf::str(a.as_object(), "IP").value_or("");
      if (ip.empty()) continue;
      addresses.push_back({type, ip, require_ip(ip, "IPAddresses")});
    }
  }
  for (const char* f : {"IPv4HealthIP", "IPv6HealthIP", "IPv4IngressIP", "IPv6IngressIP"}) {
    auto ip = jf::str(o, f);
    if (ip && !ip->empty())
      addresses.push_back({std::string_view(f).find("Health") != std::string_view::npos ? "HealthIP" : "IngressIP", *ip,
                           require_ip(*ip, f)});
  }
  std::vector<NodeCidr> cidrs;
  for (const char* f : {"IPv4AllocCIDR", "IPv6AllocCIDR"}) {
    const auto* v = o.if_contains(f);
    if (v && !v->is_null()) cidrs.push_back(parse_cidr_object(*v, f, "primary"));
  }
  for (const char* f : {"IPv4SecondaryAllocCIDRs", "IPv6SecondaryAllocCIDRs"}) {
    if (const auto* arr = jf::array(o, f))
      for (const auto& v : *arr) cidrs.push_back(parse_cidr_object(v, f, "secondary"));
  }
  auto name = jf::str(o, "Name");
  auto cluster = jf::str(o, "Cluster");
  auto cluster_id = jf::integer(o, "ClusterID");
  auto source = jf::str(o, "Source");
  auto enc = jf::integer(o, "EncryptionKey");
  auto node_identity = jf::integer(o, "NodeIdentity");
  auto h4 = jf::str(o, "IPv4HealthIP"), h6 = jf::str(o, "IPv6HealthIP");
  auto i4 = jf::str(o, "IPv4IngressIP"), i6 = jf::str(o, "IPv6IngressIP");
  auto wg = jf::str(o, "WireguardPubKey");
  auto boot = jf::str(o, "BootID");
  auto labels = jf::raw(o, "Labels");
  auto annotations = jf::raw(o, "Annotations");

  SqlValue kc = key_cluster ? SqlValue(*key_cluster) : SqlValue();
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
