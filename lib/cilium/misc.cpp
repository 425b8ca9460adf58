// The smaller layouts: heartbeat, sync canaries, cluster configs, locks, policy statuses.
#include <fmt/format.h>

#include <vector>

#include "cilium/json_fields.h"
#include "cilium/layouts.h"
#include "util/codec.h"
#include "util/time.h"

namespace kvsnap {
namespace {

namespace jf = json_fields;

const TableSpec kHeartbeat{"heartbeat", {"value", "unix_time"}};
const TableSpec kSyncMarker{"sync_marker", {"cluster", "prefix", "scope", "value", "unix_time"}};
const TableSpec kClusterConfig{"cluster_config",
                               {"cluster", "id", "synced_canaries", "cached", "max_connected_clusters",
                                "service_exports_enabled", "endpoint_slices_export_mode"}};
const TableSpec kKvstoreLock{"kvstore_lock", {"kind", "lease_hex", "key_lease"}};
const TableSpec kPolicyStatus{
    "policy_status",
    {"kind", "uid", "namespace", "name", "node", "ok", "error", "enforcing", "local_policy_revision", "last_updated"}};

int64_t require_time(const std::string& v) {
  auto t = parse_rfc3339(v);
  if (!t) throw DecodeError(fmt::format("value '{}' is not an RFC 3339 time", v.substr(0, 64)));
  return *t;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    auto slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

void policy_status(const Record& r, const char* kind, std::string_view uid, std::optional<std::string_view> ns,
                   std::string_view name, std::string_view node, RowWriter& out) {
  // CNPNSWithMeta: UID, Namespace, Name, Node, and the embedded CiliumNetworkPolicyNodeStatus.
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  for (const char* f : {"UID", "Namespace", "Name", "Node"}) (void)jf::str(o, f);
  (void)jf::string_map(o, "annotations");
  // localPolicyRevision is a uint64: past SQLite's int64 it is kept as its decimal text.
  uint64_t revision = jf::uint(o, "localPolicyRevision", 64).value_or(0);
  std::string revision_text = std::to_string(revision);
  SqlValue revision_value = revision <= uint64_t(INT64_MAX) ? SqlValue(int64_t(revision)) : SqlValue(revision_text);
  out.insert(kPolicyStatus, {kind, uid, ns ? SqlValue(*ns) : SqlValue(), name, node,
                             jf::boolean(o, "ok").value_or(false), jf::str(o, "error").value_or(""),
                             jf::boolean(o, "enforcing").value_or(false), revision_value, jf::time(o, "lastUpdated")});
}

bool any_empty(const std::vector<std::string_view>& parts) {
  for (auto p : parts)
    if (p.empty()) return true;
  return false;
}

}  // namespace

void decode_heartbeat(const Record& r, const KeyParts&, RowWriter& out) {
  out.insert(kHeartbeat, {std::string_view(r.value), require_time(r.value)});
}

void decode_sync_marker(const Record& r, const KeyParts& p, RowWriter& out) {
  auto slash = p.tail.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.tail.size())
    throw DecodeError("key has no <cluster>/<prefix> form");
  std::string_view prefix = p.tail.substr(slash + 1);
  std::string_view scope = prefix.rfind("cilium/cache/", 0) == 0 ? "cache" : "state";
  // Cilium writes the time, but its readers only wait for the key to exist: any value is a
  // canary, its time NULL when the value is not RFC 3339.
  out.insert(kSyncMarker, {p.tail.substr(0, slash), prefix, scope, std::string_view(r.value), parse_rfc3339(r.value)});
}

void decode_cluster_config(const Record& r, const KeyParts& p, RowWriter& out) {
  if (p.tail.empty() || p.tail.find('/') != std::string_view::npos) throw DecodeError("key has no <cluster> form");
  // CiliumClusterConfig{ID, Capabilities} (Capabilities is a struct, not a pointer).
  jf::Document doc(r.value);
  auto o = jf::root_struct(doc);
  auto id = jf::uint(o, "id", 32).value_or(0);
  auto caps = jf::nested(o, "capabilities");
  out.insert(
      kClusterConfig,
      {p.tail, int64_t(id), jf::boolean(caps, "syncedCanaries").value_or(false),
       jf::boolean(caps, "cached").value_or(false), int64_t(jf::uint(caps, "maxConnectedClusters", 32).value_or(0)),
       jf::bool_pointer(caps, "serviceExportsEnabled"), jf::str(caps, "endpointSlicesExportMode").value_or("")});
}

void decode_init_lock(const Record&, const KeyParts& p, RowWriter& out) {
  auto parts = split(p.tail);
  if (parts.size() != 2 || any_empty(parts)) throw DecodeError("key has no <random>/<leaseHex> form");
  out.insert(kKvstoreLock, {"initlock", parts[1], parse_lease_hex(parts[1])});
}

void decode_kvstoremesh_lock(const Record&, const KeyParts& p, RowWriter& out) {
  if (p.tail.empty() || p.tail.find('/') != std::string_view::npos) throw DecodeError("key has no <leaseHex> form");
  out.insert(kKvstoreLock, {"kvstoremesh", p.tail, parse_lease_hex(p.tail)});
}

void decode_has_cluster_config(const Record& r, const KeyParts&, RowWriter&) {
  if (r.value != "true") throw DecodeError(fmt::format("value '{}' is not \"true\"", r.value.substr(0, 64)));
}

void decode_cnp_status(const Record& r, const KeyParts& p, RowWriter& out) {
  auto parts = split(p.tail);
  if (parts.size() != 4 || any_empty(parts)) throw DecodeError("key has no <UID>/<namespace>/<name>/<node> form");
  policy_status(r, "cnp", parts[0], parts[1], parts[2], parts[3], out);
}

void decode_ccnp_status(const Record& r, const KeyParts& p, RowWriter& out) {
  auto parts = split(p.tail);
  if (parts.size() != 3 || any_empty(parts)) throw DecodeError("key has no <UID>/<name>/<node> form");
  policy_status(r, "ccnp", parts[0], std::nullopt, parts[1], parts[2], out);
}

}  // namespace kvsnap
