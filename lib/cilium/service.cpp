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
  std::optional<IpAddr> addr;  // nullopt when the map key is not an IP (Cilium 1.14+ rejects those)
  std::optional<std::string> protocol;
  std::optional<int64_t> port;
};

// {"<ip>": {"<port name>": {"Protocol":"TCP","Port":80}}}
std::vector<Port> parse_ports(const boost::json::object& svc, std::string_view field) {
  std::vector<Port> out;
  const auto* m = jf::object(svc, field);
  if (!m) return out;
  for (const auto& [ip, ports] : *m) {
    if (!ports.is_object()) throw DecodeError(fmt::format("field {}: expected an object per IP", field));
    std::string ip_text(ip.data(), ip.size());
    auto addr = parse_ip(ip_text);
    for (const auto& [name, l4] : ports.as_object()) {
      if (!l4.is_object()) throw DecodeError(fmt::format("field {}: expected {{Protocol, Port}}", field));
      out.push_back({ip_text, std::string(name.data(), name.size()), addr, jf::str(l4.as_object(), "Protocol"),
                     jf::integer(l4.as_object(), "Port")});
    }
  }
  return out;
}

}  // namespace

void decode_service(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [kc, kns, kname] = split3(p.tail);
  auto o = jf::parse_object(r.value);
  auto frontends = parse_ports(o, "frontends");
  auto backends = parse_ports(o, "backends");
  const auto* hostnames = jf::object(o, "hostnames");
  const auto* zones = jf::object(o, "zones");
  auto lookup = [](const boost::json::object* m, const std::string& ip, const char* sub) -> std::optional<std::string> {
    if (!m) return std::nullopt;
    const auto* v = m->if_contains(ip);
    if (!v) return std::nullopt;
    if (v->is_string()) return std::string(v->as_string());
    if (sub && v->is_object()) return jf::str(v->as_object(), sub);
    return std::nullopt;
  };
  out.insert(kService, {p.scope, kc, kns, kname, jf::str(o, "cluster"), jf::str(o, "namespace"), jf::str(o, "name"),
                        jf::integer(o, "clusterID"), jf::boolean(o, "includeExternal"), jf::boolean(o, "shared"),
                        jf::raw(o, "labels"), jf::raw(o, "selector")});
  for (const auto& f : frontends)
    out.insert(kFrontend,
               {f.ip, f.addr ? SqlValue::blob(f.addr->blob()) : SqlValue(), f.port_name, f.protocol, f.port});
  for (const auto& b : backends)
    out.insert(kBackend, {b.ip, b.addr ? SqlValue::blob(b.addr->blob()) : SqlValue(), b.port_name, b.protocol, b.port,
                          lookup(hostnames, b.ip, nullptr), lookup(zones, b.ip, "zone")});
}

void decode_service_export(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [kc, kns, kname] = split3(p.tail);
  auto o = jf::parse_object(r.value);
  out.insert(kExport, {p.scope, kc, kns, kname, jf::str(o, "cluster"), jf::str(o, "namespace"), jf::str(o, "name"),
                       jf::str(o, "type"), jf::str(o, "exportCreationTimestamp")});
}

}  // namespace kvsnap
