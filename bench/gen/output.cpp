#include "gen/output.h"

#include <charconv>

#include "gen/codec.h"
#include "util/codec.h"

namespace kvsnap::gen {

namespace {



constexpr size_t kFlushAt = 1 << 20;

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "etcd-json") return Format::EtcdJson;
  if (name == "cilium-json") return Format::CiliumJson;
  if (name == "cilium-text") return Format::CiliumText;
  if (name == "load") return Format::Load;
  if (name == "csv") return Format::Csv;
  return std::nullopt;
}

int64_t write_cluster(const Cluster& cluster, const WriteOptions& wo,
                      const std::function<void(std::string_view)>& out) {
  const GenSummary& sum = cluster.summary();
  std::string buf;
  buf.reserve(kFlushAt + (64 << 10));
  int64_t count = 0;
  auto flush = [&] {
    if (!buf.empty()) out(buf);
    buf.clear();
  };

  const bool sorted = wo.format == Format::EtcdJson || wo.format == Format::CiliumJson ||
                      wo.format == Format::Csv || wo.sorted;
  const bool session_id = sum.cilium_minor < 17;

  switch (wo.format) {
    case Format::EtcdJson:
      // printJSON(RangeResponse): struct order, omitempty everywhere.
      buf += "{\"header\":{\"cluster_id\":";
      append_uint(buf, wo.etcd_cluster_id.value_or(sum.etcd_cluster_id));
      buf += ",\"member_id\":";
      append_uint(buf, wo.etcd_member_id.value_or(sum.etcd_member_id));
      buf += ",\"revision\":";
      append_int(buf, sum.last_revision);
      if (wo.raft_term.value_or(sum.raft_term) != 0) {  // omitempty
        buf += ",\"raft_term\":";
        append_uint(buf, wo.raft_term.value_or(sum.raft_term));
      }
      buf += '}';
      break;
    case Format::CiliumJson:
      buf += '{';
      break;
    default:
      break;
  }

  cluster.generate(sorted ? Order::Sorted : Order::Revision, [&](const GenKey& g) {
    if (!wo.prefix.empty() && g.key.compare(0, wo.prefix.size(), wo.prefix) != 0) return;
    switch (wo.format) {
      case Format::EtcdJson:
        buf += count == 0 ? ",\"kvs\":[{\"key\":\"" : ",{\"key\":\"";
        buf += kvsnap::base64_encode(g.key);
        buf += "\",\"create_revision\":";
        append_int(buf, g.create_revision);
        buf += ",\"mod_revision\":";
        append_int(buf, g.mod_revision);
        buf += ",\"version\":";
        append_int(buf, g.version);
        if (!g.value.empty()) {
          buf += ",\"value\":\"";
          buf += kvsnap::base64_encode(g.value);
          buf += '"';
        }
        if (g.lease != 0) {
          buf += ",\"lease\":";
          append_int(buf, g.lease);
        }
        buf += '}';
        break;
      case Format::CiliumJson:
        // json.MarshalIndent(map[string]kvstore.Value, "", "  ")
        buf += count == 0 ? "\n  " : ",\n  ";
        append_go_json_string(buf, g.key);
        buf += ": {\n    \"Data\": \"";
        buf += kvsnap::base64_encode(g.value);
        buf += "\",\n    \"ModRevision\": ";
        append_int(buf, g.mod_revision);
        buf += ",\n    \"LeaseID\": ";
        append_int(buf, g.lease);
        buf += session_id ? ",\n    \"SessionID\": \"\"\n  }" : "\n  }";
        break;
      case Format::CiliumText:
        buf += g.key;
        buf += " => ";
        buf += g.value;
        buf += '\n';
        break;
      case Format::Load:
        buf += kvsnap::base64_encode(g.key);
        buf += ' ';
        buf += kvsnap::base64_encode(g.value);
        buf += ' ';
        append_int(buf, g.lease_group);
        buf += '\n';
        break;
      case Format::Csv:
        append_csv_field(buf, g.key);
        buf += ',';
        append_csv_field(buf, g.value);
        buf += "\r\n";
        break;
    }
    ++count;
    if (buf.size() >= kFlushAt) flush();
  });

  switch (wo.format) {
    case Format::EtcdJson:
      if (count > 0) {
        buf += "],\"count\":";
        append_int(buf, count);
      }
      buf += "}\n";  // fmt.Println
      break;
    case Format::CiliumJson:
      // MarshalIndent, then fmt.Println(result) and fmt.Println("") in pkg/command dumpJSON:
      // the output ends with an empty line.
      buf += count == 0 ? "}\n\n" : "\n}\n\n";
      break;
    default:
      break;
  }
  flush();
  return count;
}

}  // namespace kvsnap::gen
