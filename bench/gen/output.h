#pragma once
// Writers that render a generated cluster the way real tools print a kvstore:
//   etcd-json    `etcdctl get "" --prefix -w json` (etcdctl 3.4; one line, kvs sorted by key)
//   cilium-json  `cilium kvstore get --recursive <prefix> -o json` (Go json.MarshalIndent)
//   cilium-text  `cilium kvstore get --recursive <prefix>` ("key => value" lines)
//   load         "<base64 key> <base64 value> <lease group>" lines for scripts/etcd-load.py
//   csv          "key,value" RFC 4180 records (CRLF, no header) in etcd-json's key order: the
//                same pairs as plain text, for loading into a bare table (bench/bench.py)
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gen/cluster.h"

namespace kvsnap::gen {

enum class Format { EtcdJson, CiliumJson, CiliumText, Load, Csv };

std::optional<Format> parse_format(std::string_view name);

struct WriteOptions {
  Format format = Format::EtcdJson;
  // cilium-text and load: sorted by key instead of revision order. etcd-json and cilium-json
  // are always sorted (etcd returns ranges sorted; Go sorts map keys); so is csv (it mirrors
  // etcd-json).
  bool sorted = false;
  // Only keys starting with this prefix (etcd WithPrefix / Cilium ListPrefix semantics).
  std::string prefix;
  // etcd-json header fields; default: the generator's seeded values (raft_term 2).
  std::optional<uint64_t> etcd_cluster_id, etcd_member_id, raft_term;
};

// Streams the output in chunks to `out`; returns the number of keys written.
int64_t write_cluster(const Cluster& cluster, const WriteOptions& options,
                      const std::function<void(std::string_view)>& out);

}  // namespace kvsnap::gen
