#pragma once
// SQL functions kvsnap registers on every connection it opens, for checks, saved queries and
// users' own SQL:
//   ip_bin(text) -> 16-byte BLOB (IPv4 as ::ffff:a.b.c.d) or NULL
//   ip_text(blob) -> canonical IP text or NULL
//   cidr_contains(cidr, ip) -> 1/0 (text forms, e.g. '10.0.0.0/8', '10.1.2.3'), NULL if unparsable
//   cidr_overlaps(cidr_a, cidr_b) -> 1/0
//   label_value(labels, key) -> the value of a label in a Cilium label string, or NULL
//   identity_cluster(id, shift) -> the cluster id bits of a numeric identity ((id >> shift) & 511)
//   rfc3339(unix_seconds) -> '2024-05-02T10:11:12Z'
//   display_bytes(blob) -> the bytes as text when valid UTF-8, else 'base64:...'
#include <optional>

#include "store/db.h"

namespace kvsnap {

//   current_snapshot() -> the snapshot a tool works on (-s), when `current_snapshot` is given
void register_sql_functions(Db& db, std::optional<int64_t> current_snapshot = std::nullopt);

}  // namespace kvsnap
