// Identity keys: master (id/<ID> => labels), slave (value/<labels>/<nodeIP> => ID) and locks.
#include <fmt/format.h>

#include "cilium/labels.h"
#include "cilium/layouts.h"
#include "net/ip.h"
#include "util/codec.h"

namespace kvsnap {
namespace {

const TableSpec kIdentity{
    "identity",
    {"scope", "cluster", "id", "labels", "label_set_id", "label_count", "namespace", "cluster_label", "canonical"}};
const TableSpec kIdentityLabel{"identity_label",
                               {"scope", "cluster", "identity", "position", "source", "key", "value"}};
const TableSpec kIdentityRef{"identity_ref",
                             {"scope", "cluster", "label_set_id", "node_ip", "node_ip_bin", "identity"}};
const TableSpec kIdentityLock{"identity_lock",
                              {"scope", "cluster", "kind", "labels", "identity", "lease_hex", "key_lease"}};

int64_t parse_identity_id(std::string_view s, const char* where) {
  auto id = parse_u64(s);
  if (!id || *id > uint64_t(UINT32_MAX)) throw DecodeError(fmt::format("{} '{}' is not a numeric identity", where, s));
  return int64_t(*id);
}

void require_utf8(std::string_view s, const char* what) {
  if (!is_valid_utf8(s)) throw DecodeError(fmt::format("{} is not valid UTF-8", what));
}

// "<labels>/<last>": label strings may hold '/', so the last segment is everything after the
// last '/' (Cilium's prefixMatchesKey). Both parts must be UTF-8.
std::pair<std::string_view, std::string_view> labels_and_last(std::string_view tail, const char* malformed,
                                                              const char* last_what) {
  auto slash = tail.rfind('/');
  if (slash == std::string_view::npos || slash == 0) throw DecodeError(malformed);
  std::string_view labels = tail.substr(0, slash), last = tail.substr(slash + 1);
  require_utf8(labels, "label string in key");
  require_utf8(last, last_what);
  return {labels, last};
}

}  // namespace

std::optional<int64_t> parse_lease_hex(std::string_view s) {
  auto v = parse_hex_u64(s);
  return v ? std::optional<int64_t>(int64_t(*v)) : std::nullopt;
}

void decode_identity_master(const Record& r, const KeyParts& p, RowWriter& out) {
  int64_t id = parse_identity_id(p.tail, "key segment");
  if (r.value.empty()) throw DecodeError("empty label string");
  require_utf8(r.value, "label string");
  auto labels = parse_labels(r.value);
  if (labels.empty()) throw DecodeError("label string holds no label");
  bool canonical = format_labels(labels) == r.value;
  const Label* ns = find_label(labels, "io.kubernetes.pod.namespace");
  const Label* cl = find_label(labels, "io.cilium.k8s.policy.cluster");
  out.insert(kIdentity, {p.scope, p.cluster, id, std::string_view(r.value), out.text_id(kLabelSet, r.value),
                         int64_t(labels.size()), ns ? SqlValue(ns->value) : SqlValue(),
                         cl ? SqlValue(cl->value) : SqlValue(), canonical});
  int64_t pos = 0;
  for (const auto& l : labels) out.insert(kIdentityLabel, {p.scope, p.cluster, id, pos++, l.source, l.key, l.value});
}

void decode_identity_slave(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [labels, node] = labels_and_last(p.tail, "key has no <labels>/<nodeIP> suffix", "node suffix");
  int64_t id = parse_identity_id(r.value, "value");
  auto ip = parse_ip(node);
  out.insert(kIdentityRef, {p.scope, p.cluster, out.text_id(kLabelSet, labels), node,
                            ip ? SqlValue::blob(ip->blob()) : SqlValue(), id});
}

void decode_identity_gc_lock(const Record& r, const KeyParts& p, RowWriter& out) {
  auto slash = p.tail.find('/');
  if (slash == std::string_view::npos) throw DecodeError("key has no id/<ID>/<leaseHex> form");
  int64_t id = parse_identity_id(p.tail.substr(0, slash), "key segment");
  std::string_view lease = p.tail.substr(slash + 1);
  if (lease.empty() || lease.find('/') != std::string_view::npos)
    throw DecodeError("key has no id/<ID>/<leaseHex> form");
  (void)r;
  out.insert(kIdentityLock, {p.scope, p.cluster, "gc", SqlValue(), id, lease, parse_lease_hex(lease)});
}

void decode_identity_alloc_lock(const Record& r, const KeyParts& p, RowWriter& out) {
  auto [labels, lease] = labels_and_last(p.tail, "key has no <labels>/<leaseHex> form", "lease segment");
  (void)r;
  out.insert(kIdentityLock, {p.scope, p.cluster, "allocation", labels, SqlValue(), lease, parse_lease_hex(lease)});
}

}  // namespace kvsnap
