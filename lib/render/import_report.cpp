#include "render/import_report.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "util/text.h"

namespace kvsnap {

std::string render_import_text(const std::vector<ImportSummary>& snapshots, const std::string& db_path) {
  std::string out;
  for (const auto& s : snapshots) {
    out += fmt::format("snapshot {} \"{}\" <- {} ({}{})\n", s.snapshot_id, s.name, s.source, s.format,
                       s.compression.empty() ? "" : ", " + s.compression);
    std::string rev = s.meta.revision ? fmt::format(", etcd revision {}", *s.meta.revision) : "";
    out += fmt::format("  keys            {}{}{}\n", s.keys, rev, s.meta.keys_only ? " (keys only, no values)" : "");
    if (s.meta.cluster_name || s.meta.cluster_id)
      out += fmt::format("  cilium cluster  {} (id {})\n", s.meta.cluster_name.value_or("?"),
                         s.meta.cluster_id ? std::to_string(*s.meta.cluster_id) : "?");
    std::string decoded;
    for (const auto& [table, n] : s.counts)
      if (table != "kv_history" && table != "lease" && table != "member")
        decoded += fmt::format("{}{} {}", decoded.empty() ? "" : ", ", table, n);
    if (s.meta.trailer) {
      auto count = [&](const char* t) { return s.counts.count(t) ? s.counts.at(t) : 0; };
      out += fmt::format("  etcd db         {} history records{}, {} leases, {} members, SHA-256 trailer {}\n",
                         s.meta.history_records, count("kv_history") ? "" : " (not kept: --no-history)",
                         count("lease"), count("member"), *s.meta.trailer);
      if (s.meta.compact_revision) out += fmt::format("  compacted at    {}\n", *s.meta.compact_revision);
      if (s.meta.at_revision) out += fmt::format("  state at        revision {} (--at-revision)\n", *s.meta.at_revision);
    }
    out += fmt::format("  decoded         {}\n", !decoded.empty() ? decoded : s.meta.keys_only ? "nothing (keys only)" : s.cilium_keys == 0 ? "nothing (no Cilium keys)" : "nothing");
    out += fmt::format("  decode errors   {}{}\n", s.decode_errors,
                       s.decode_errors ? "  (see: kvquery 'SELECT * FROM decode_error_text')" : "");
    if (s.undecoded_values)
      out += fmt::format("  not decoded     {}  (keys-only dump: these layouts need the values)\n", s.undecoded_values);
    if (s.keys > 0 && s.cilium_keys == 0)
      out += "  WARNING         no Cilium keys (nothing under cilium/): kvcheck has nothing to check in it\n";
    for (const auto& w : s.meta.warnings) out += fmt::format("  WARNING         {}\n", w);
    if (s.meta.joined_lines)
      out += fmt::format("  joined lines    {}  (values that held newlines in a line-based dump; prefer -w json)\n",
                         s.meta.joined_lines);
    if (s.meta.duplicate_records)
      out += fmt::format("  duplicates      {}  (identical records seen twice, kept once)\n", s.meta.duplicate_records);
  }
  out += fmt::format("database: {}\n", db_path);
  return terminal_safe(out);
}

std::string render_import_json(const std::vector<ImportSummary>& snapshots, const std::string& db_path) {
  boost::json::array arr;
  for (const auto& s : snapshots) {
    boost::json::object counts;
    for (const auto& [table, n] : s.counts) counts[table] = n;
    boost::json::object o;
    o["id"] = s.snapshot_id;
    o["name"] = s.name;
    o["source"] = s.source;
    o["format"] = s.format;
    o["compression"] = s.compression.empty() ? boost::json::value(nullptr) : boost::json::value(s.compression);
    o["keys"] = s.keys;
    o["revision"] = s.meta.revision ? boost::json::value(*s.meta.revision) : boost::json::value(nullptr);
    o["keys_only"] = s.meta.keys_only;
    o["counts"] = std::move(counts);
    o["decode_errors"] = s.decode_errors;
    o["joined_lines"] = s.meta.joined_lines;
    boost::json::array warnings;
    for (const auto& w : s.meta.warnings) warnings.emplace_back(w);
    o["warnings"] = std::move(warnings);
    o["undecoded_values"] = s.undecoded_values;
    o["duplicate_records"] = s.meta.duplicate_records;
    o["cluster_name"] = s.meta.cluster_name ? boost::json::value(*s.meta.cluster_name) : boost::json::value(nullptr);
    o["cluster_id"] = s.meta.cluster_id ? boost::json::value(*s.meta.cluster_id) : boost::json::value(nullptr);
    if (s.meta.trailer) {
      o["trailer"] = *s.meta.trailer;
      o["history_records"] = s.meta.history_records;
      o["compact_revision"] = s.meta.compact_revision ? boost::json::value(*s.meta.compact_revision) : nullptr;
      o["at_revision"] = s.meta.at_revision ? boost::json::value(*s.meta.at_revision) : nullptr;
    }
    arr.push_back(std::move(o));
  }
  boost::json::object root;
  root["database"] = db_path;
  root["snapshots"] = std::move(arr);
  return boost::json::serialize(root) + "\n";
}

}  // namespace kvsnap
