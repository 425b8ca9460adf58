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
                          "k8s_pod_uid",
                          "port_set_id"}};

}  // namespace

void decode_ipcache(const Record& r, const KeyParts& p, RowWriter& out) {
  namespace jf = json_fields;
  auto slash = p.tail.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.tail.size())
    throw DecodeError("key has no <address space>/<IP> form");
  std::string_view space = p.tail.substr(0, slash), key_ip = p.tail.substr(slash + 1);

  // identity.IPIdentityPair. Every field is checked, also those without a column: a type error
  // anywhere makes Cilium drop the entry.
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  auto ip = jf::ip(o, "IP");  // nil (absent, null or "") leaves ip NULL; Cilium then names it "<nil>"
  auto mask = jf::mask(o, "Mask");
  auto host = jf::ip(o, "HostIP");
  int64_t id = int64_t(jf::uint(o, "ID", 32).value_or(0));
  int64_t encrypt_key = int64_t(jf::uint(o, "Key", 8).value_or(0));
  std::string metadata = jf::str(o, "Metadata").value_or("");
  std::string ns = jf::str(o, "K8sNamespace").value_or("");
  std::string pod = jf::str(o, "K8sPodName").value_or("");
  std::string sa = jf::str(o, "K8sServiceAccount").value_or("");
  std::string pod_uid = jf::str(o, "K8sPodUID").value_or("");
  std::optional<std::string> ports;
  if (auto named = jf::slice(o, "NamedPorts")) {
    for (auto port : named->items()) {
      auto np = jf::element(port, "NamedPorts[]");
      (void)jf::str(np, "Name");
      (void)jf::uint(np, "Port", 16);
      (void)jf::str(np, "Protocol");
    }
    ports = named->json();
  }

  std::optional<int64_t> prefix_len;
  std::optional<Cidr> range;  // of a CIDR entry only: a host entry covers its ip_bin alone
  if (mask) {
    // A mask must be contiguous ones of the IP's length (Cilium would read any other as /0).
    std::string why;
    IpAddr family = ip ? ip->addr : IpAddr{};
    if (!ip) family.v4 = mask->size() == 4;
    auto c = make_cidr(family, *mask, &why);
    if (!c) throw DecodeError(fmt::format("field Mask: {}", why));
    prefix_len = c->prefix_len;
    if (ip) range = make_cidr(ip->addr, c->prefix_len);
  }
  // cilium-global:<address space>:<node>:<endpoint id>
  std::optional<std::string> node_name;
  std::optional<int64_t> endpoint_id;
  if (metadata.rfind("cilium-global:", 0) == 0) {
    std::string_view m(metadata);
    m.remove_prefix(14);
    auto a = m.find(':');
    auto b = m.rfind(':');
    if (a != std::string_view::npos && b != a) {
      node_name = std::string(m.substr(a + 1, b - a - 1));
      endpoint_id = parse_i64(m.substr(b + 1));
    }
  }

  auto blob = [](const std::optional<IpAddr>& a) { return a ? SqlValue::blob(a->blob()) : SqlValue(); };
  std::optional<std::string> ip_text, host_text;
  if (ip) ip_text = ip->addr.to_string();
  if (host) host_text = host->text;
  out.insert(kIpcache, {p.scope,
                        p.cluster,
                        space,
                        key_ip,
                        ip_text,
                        prefix_len,
                        blob(ip ? std::optional<IpAddr>(ip->addr) : std::nullopt),
                        blob(range ? std::optional<IpAddr>(range->start) : std::nullopt),
                        blob(range ? std::optional<IpAddr>(range->end) : std::nullopt),
                        host_text,
                        blob(host ? std::optional<IpAddr>(host->addr) : std::nullopt),
                        id,
                        encrypt_key,
                        metadata,
                        node_name,
                        endpoint_id,
                        ns,
                        pod,
                        sa,
                        pod_uid,
                        ports ? SqlValue(out.text_id(kPortSet, *ports)) : SqlValue()});
}

}  // namespace kvsnap
