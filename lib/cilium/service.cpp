// Clustermesh services (ClusterService JSON) and MCS-API service exports.
#include <fmt/format.h>

#include <array>
#include <vector>

#include "cilium/json_fields.h"
#include "cilium/layouts.h"
#include "net/ip.h"

namespace kvsnap {
namespace {

namespace jf = json_fields;

const TableSpec kService{"service",
                         {"scope", "key_cluster", "key_namespace", "key_name", "cluster", "namespace", "name",
                          "cluster_id", "include_external", "shared", "labels", "selector"}};
const TableSpec kFrontend{"service_frontend", {"ip", "ip_bin", "port_name", "protocol", "port"}};
const TableSpec kBackend{"service_backend", {"ip", "ip_bin", "port_name", "protocol", "port", "hostname", "zone"}};
const TableSpec kExport{
    "service_export",
    {"scope", "key_cluster", "key_namespace", "key_name", "cluster", "namespace", "name", "type", "created_at"}};

std::array<std::string_view, 3> split3(std::string_view tail) {
  auto a = tail.find('/');
  auto b = a == std::string_view::npos ? a : tail.find('/', a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos || a == 0 || b == a + 1 || b + 1 == tail.size() ||
      tail.find('/', b + 1) != std::string_view::npos)
    throw DecodeError("key has no <cluster>/<namespace>/<name> form");
  return {tail.substr(0, a), tail.substr(a + 1, b - a - 1), tail.substr(b + 1)};
}

struct Port {
  std::string ip, port_name;
  std::optional<IpAddr> addr;           // nullopt when the map key is not an IP (Cilium 1.14+ rejects those)
  std::optional<std::string> protocol;  // both nullopt for a null (nil) *L4Addr
  std::optional<int64_t> port;
};

// map[string]PortConfiguration, PortConfiguration = map[string]*loadbalancer.L4Addr:
// {"<ip>": {"<port name>": {"Protocol":"TCP","Port":80}}}.
std::vector<Port> parse_ports(const jf::Struct& svc, std::string_view field) {
  std::vector<Port> out;
  auto ips = jf::map(svc, field);
  if (!ips) return out;
  for (const auto& [ip, ports] : *ips) {
    auto addr = parse_ip(ip);
    std::string where = fmt::format("{}[{}]", field, ip);
    if (ports.is_null()) continue;  // a nil PortConfiguration
    if (ports.kind() != jf::Ref::Kind::Object)
      throw DecodeError(fmt::format("field {}: expected an object, got {}", where, ports.type_name()));
    std::vector<std::pair<std::string, jf::Ref>> names;
    for (const auto& m : ports.members()) jf::put_last(names, m.first, m.second);
    for (const auto& [name, l4] : names) {
      Port p{ip, name, addr, std::nullopt, std::nullopt};
      if (auto a = jf::element_pointer(l4, fmt::format("{}[{}]", where, name))) {
        p.protocol = jf::str(*a, "Protocol").value_or("");
        p.port = int64_t(jf::uint(*a, "Port", 16).value_or(0));
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace

void decode_service(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [kc, kns, kname] = split3(p.tail);
  // ClusterService: every field is read before anything is written.
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  auto frontends = parse_ports(o, "frontends");
  auto backends = parse_ports(o, "backends");
  std::vector<std::pair<std::string, std::string>> hostnames;  // map[string]string
  if (auto m = jf::map(o, "hostnames"))
    for (const auto& [ip, name] : *m)
      hostnames.emplace_back(ip, jf::element_string(name, fmt::format("hostnames[{}]", ip)));
  std::vector<std::pair<std::string, std::string>> zones;  // map[string]BackendZone{zone, forZones}
  if (auto m = jf::map(o, "zones")) {
    for (const auto& [ip, zone] : *m) {
      auto z = jf::element(zone, fmt::format("zones[{}]", ip));
      zones.emplace_back(ip, jf::str(z, "zone").value_or(""));
      if (auto for_zones = jf::slice(z, "forZones"))
        for (auto f : for_zones->items())
          (void)jf::str(jf::element(f, fmt::format("zones[{}].forZones[]", ip)), "name");
    }
  }
  std::string cluster = jf::str(o, "cluster").value_or(""), ns = jf::str(o, "namespace").value_or(""),
              name = jf::str(o, "name").value_or("");
  int64_t cluster_id = int64_t(jf::uint(o, "clusterID", 32).value_or(0));
  bool include_external = jf::boolean(o, "includeExternal").value_or(false);
  bool shared = jf::boolean(o, "shared").value_or(false);
  auto labels = jf::string_map(o, "labels");
  auto selector = jf::string_map(o, "selector");
  auto lookup = [](const std::vector<std::pair<std::string, std::string>>& m,
                   const std::string& ip) -> std::optional<std::string> {
    for (const auto& [k, v] : m)
      if (k == ip) return v;
    return std::nullopt;
  };

  out.insert(kService,
             {p.scope, kc, kns, kname, cluster, ns, name, cluster_id, include_external, shared, labels, selector});
  for (const auto& f : frontends)
    out.insert(kFrontend,
               {f.ip, f.addr ? SqlValue::blob(f.addr->blob()) : SqlValue(), f.port_name, f.protocol, f.port});
  for (const auto& b : backends)
    out.insert(kBackend, {b.ip, b.addr ? SqlValue::blob(b.addr->blob()) : SqlValue(), b.port_name, b.protocol, b.port,
                          lookup(hostnames, b.ip), lookup(zones, b.ip)});
}

void decode_service_export(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [kc, kns, kname] = split3(p.tail);
  // MCSAPIServiceSpec: only the fields with a column are read (and type-checked).
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  out.insert(kExport, {p.scope, kc, kns, kname, jf::str(o, "cluster").value_or(""),
                       jf::str(o, "namespace").value_or(""), jf::str(o, "name").value_or(""),
                       jf::str(o, "type").value_or(""), jf::time(o, "exportCreationTimestamp")});
}

}  // namespace kvsnap
