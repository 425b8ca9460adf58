// IP cache entries: cilium/state/ip/v1/<space>/<IP> => IPIdentityPair JSON (and cache copies).
#include <fmt/format.h>

#include "cilium/json_fields.h"
#include "cilium/layouts.h"
#include "net/ip.h"
#include "util/codec.h"

namespace kvsnap {
namespace {

const TableSpec kIpcache{"ipcache",
                         {"scope",
                          "cluster",
                          "address_space",
                          "key_ip",
                          "ip",
                          "prefix_len",
                          "ip_bin",
                          "start_bin",
                          "end_bin",
                          "host_ip",
                          "host_ip_bin",
                          "identity",
                          "encrypt_key",
                          "metadata",
                          "node_name",
                          "endpoint_id",
                          "k8s_namespace",
                          "k8s_pod_name",
                          "k8s_service_account",
                          "named_ports"}};

}  // namespace

void decode_ipcache(const Record& r, const KeyParts& p, RowWriter& out) {
  namespace jf = json_fields;
  auto slash = p.tail.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.tail.size())
    throw DecodeError("key has no <address space>/<IP> form");
  std::string_view space = p.tail.substr(0, slash), key_ip = p.tail.substr(slash + 1);

  auto o = jf::parse_object(r.value);
  auto ip_text = jf::str(o, "IP");
  if (!ip_text) throw DecodeError("field IP is missing");
  auto ip = parse_ip(*ip_text);
  if (!ip) throw DecodeError(fmt::format("field IP '{}' is not an IP address", *ip_text));
  auto id = jf::integer(o, "ID");
  if (!id) throw DecodeError("field ID is missing");
  if (*id < 0 || *id > int64_t(UINT32_MAX)) throw DecodeError(fmt::format("field ID {} is out of range", *id));

  std::optional<int64_t> prefix_len;
  Cidr range = make_cidr(*ip, ip->v4 ? 32 : 128);
  if (auto mask_b64 = jf::str(o, "Mask")) {
    auto mask = base64_decode(*mask_b64);
    if (!mask) throw DecodeError("field Mask is not base64");
    std::string why;
    auto c = make_cidr(*ip, *mask, &why);
    if (!c) throw DecodeError(fmt::format("field Mask: {}", why));
    range = *c;
    prefix_len = c->prefix_len;
  }
  auto host = jf::str(o, "HostIP");
  std::optional<IpAddr> host_ip;
  if (host && !host->empty()) {
    host_ip = parse_ip(*host);
    if (!host_ip) throw DecodeError(fmt::format("field HostIP '{}' is not an IP address", *host));
  }
  auto metadata = jf::str(o, "Metadata");
  // cilium-global:<address space>:<node>:<endpoint id>
  std::optional<std::string> node_name;
  std::optional<int64_t> endpoint_id;
  if (metadata && metadata->rfind("cilium-global:", 0) == 0) {
    std::string_view m(*metadata);
    m.remove_prefix(14);
    auto a = m.find(':');
    auto b = m.rfind(':');
    if (a != std::string_view::npos && b != a) {
      node_name = std::string(m.substr(a + 1, b - a - 1));
      endpoint_id = parse_i64(m.substr(b + 1));
    }
  }
  auto encrypt_key = jf::integer(o, "Key");
  auto ns = jf::str(o, "K8sNamespace");
  auto pod = jf::str(o, "K8sPodName");
  auto sa = jf::str(o, "K8sServiceAccount");
  auto ports = jf::raw(o, "NamedPorts");
  if (ports && !o.at("NamedPorts").is_array()) throw DecodeError("field NamedPorts: expected an array");

  out.insert(kIpcache, {p.scope,
                        p.cluster,
                        space,
                        key_ip,
                        ip->to_string(),
                        prefix_len,
                        SqlValue::blob(ip->blob()),
                        SqlValue::blob(range.start.blob()),
                        SqlValue::blob(range.end.blob()),
                        host,
                        host_ip ? SqlValue::blob(host_ip->blob()) : SqlValue(),
                        *id,
                        encrypt_key,
                        metadata,
                        node_name,
                        endpoint_id,
                        ns,
                        pod,
                        sa,
                        ports});
}

}  // namespace kvsnap
