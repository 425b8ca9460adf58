// The dump writers of output.h: each key the cluster streams is appended to a buffer in the
// format's shape, and the buffer handed on in chunks of about a MiB.
#include "gen/output.h"

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

int64_t write_cluster(const Cluster& cluster, const WriteOptions& options,
                      const std::function<void(std::string_view)>& out) {
  const GenSummary& summary = cluster.summary();
  std::string buffer;
  buffer.reserve(kFlushAt + (64 << 10));
  int64_t count = 0;
  auto flush = [&] {
    if (!buffer.empty()) out(buffer);
    buffer.clear();
  };

  const bool sorted = options.format == Format::EtcdJson || options.format == Format::CiliumJson ||
                      options.format == Format::Csv || options.sorted;
  const bool session_id = summary.cilium_minor < 17;  // cilium-json's SessionID field

  switch (options.format) {
    case Format::EtcdJson:
      // printJSON(RangeResponse): struct order, omitempty everywhere.
      buffer += "{\"header\":{\"cluster_id\":";
      append_uint(buffer, options.etcd_cluster_id.value_or(summary.etcd_cluster_id));
      buffer += ",\"member_id\":";
      append_uint(buffer, options.etcd_member_id.value_or(summary.etcd_member_id));
      buffer += ",\"revision\":";
      append_int(buffer, summary.last_revision);
      if (options.raft_term.value_or(summary.raft_term) != 0) {  // omitempty
        buffer += ",\"raft_term\":";
        append_uint(buffer, options.raft_term.value_or(summary.raft_term));
      }
      buffer += '}';
      break;
    case Format::CiliumJson: buffer += '{'; break;
    default: break;
  }

  cluster.generate(sorted ? Order::Sorted : Order::Revision, [&](const GenKey& kv) {
    if (!options.prefix.empty() && kv.key.compare(0, options.prefix.size(), options.prefix) != 0) return;
    switch (options.format) {
      case Format::EtcdJson:
        buffer += count == 0 ? ",\"kvs\":[{\"key\":\"" : ",{\"key\":\"";
        buffer += kvsnap::base64_encode(kv.key);
        buffer += "\",\"create_revision\":";
        append_int(buffer, kv.create_revision);
        buffer += ",\"mod_revision\":";
        append_int(buffer, kv.mod_revision);
        buffer += ",\"version\":";
        append_int(buffer, kv.version);
        if (!kv.value.empty()) {
          buffer += ",\"value\":\"";
          buffer += kvsnap::base64_encode(kv.value);
          buffer += '"';
        }
        if (kv.lease != 0) {
          buffer += ",\"lease\":";
          append_int(buffer, kv.lease);
        }
        buffer += '}';
        break;
      case Format::CiliumJson:
        // json.MarshalIndent(map[string]kvstore.Value, "", "  ")
        buffer += count == 0 ? "\n  " : ",\n  ";
        append_go_json_string(buffer, kv.key);
        buffer += ": {\n    \"Data\": \"";
        buffer += kvsnap::base64_encode(kv.value);
        buffer += "\",\n    \"ModRevision\": ";
        append_int(buffer, kv.mod_revision);
        buffer += ",\n    \"LeaseID\": ";
        append_int(buffer, kv.lease);
        buffer += session_id ? ",\n    \"SessionID\": \"\"\n  }" : "\n  }";
        break;
      case Format::CiliumText:
        buffer += kv.key;
        buffer += " => ";
        buffer += kv.value;
        buffer += '\n';
        break;
      case Format::Load:
        buffer += kvsnap::base64_encode(kv.key);
        buffer += ' ';
        buffer += kvsnap::base64_encode(kv.value);
        buffer += ' ';
        append_int(buffer, kv.lease_group);
        buffer += '\n';
        break;
      case Format::Csv:
        append_csv_field(buffer, kv.key);
        buffer += ',';
        append_csv_field(buffer, kv.value);
        buffer += "\r\n";
        break;
    }
    ++count;
    if (buffer.size() >= kFlushAt) flush();
  });

  switch (options.format) {
    case Format::EtcdJson:
      if (count > 0) {
        buffer += "],\"count\":";
        append_int(buffer, count);
      }
      buffer += "}\n";  // fmt.Println
      break;
    case Format::CiliumJson:
      // MarshalIndent, then fmt.Println(result) and fmt.Println("") in pkg/command dumpJSON:
      // the output ends with an empty line.
      buffer += count == 0 ? "}\n\n" : "\n}\n\n";
      break;
    default: break;
  }
  flush();
  return count;
}

}  // namespace kvsnap::gen
