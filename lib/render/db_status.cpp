#include "render/db_status.h"

#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "util/text.h"

namespace kvsnap {

std::string humanize_bytes(uint64_t n) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (n < 10) return fmt::format("{} B", n);
  int e = int(std::floor(std::log(double(n)) / std::log(1000.0)));
  double val = std::floor(double(n) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  return val < 10 ? fmt::format("{:.1f} {}", val, kUnits[e]) : fmt::format("{:.0f} {}", val, kUnits[e]);
}

std::string render_db_status_text(const std::string& file, const EtcdDbStatus& s) {
  std::string out = fmt::format("{}: etcd db, {}-endian bbolt, page size {}, meta page {} (txid {})\n", file,
                                s.big_endian ? "big" : "little", s.page_size, s.meta_page, s.txid);
  out += fmt::format("  hash             {} ({:x})\n", s.hash, s.hash);
  out += fmt::format("  revision         {}\n", s.revision);
  out += fmt::format("  totalKey         {} (entries in all buckets, as etcdctl 3.4/3.5 counts)\n", s.total_key);
  out += fmt::format("  live keys        {} (etcd 3.6+ totalKey)\n", s.total_key_live);
  out += fmt::format("  totalSize        {} ({}; {} pages, file {} bytes)\n", s.total_size, humanize_bytes(s.total_size),
                     s.high_water_mark, s.file_size);
  if (!s.version.empty()) out += fmt::format("  storage version  {}\n", s.version);
  if (s.cluster_version) out += fmt::format("  cluster version  {}\n", *s.cluster_version);
  out += fmt::format("  history          {} records ({} tombstones)\n", s.history_records, s.tombstones);
  if (s.compact_revision || s.scheduled_compact_revision)
    out += fmt::format("  compaction       finished {}, scheduled {}\n",
                       s.compact_revision ? std::to_string(*s.compact_revision) : "-",
                       s.scheduled_compact_revision ? std::to_string(*s.scheduled_compact_revision) : "-");
  else
    out += "  compaction       none\n";
  if (s.consistent_index) out += fmt::format("  consistent index {}\n", *s.consistent_index);
  out += fmt::format("  trailer          {}\n",
                     s.trailer == Trailer::Match      ? "SHA-256 present and matching (etcdctl snapshot save)"
                     : s.trailer == Trailer::Mismatch ? "SHA-256 present and WRONG: the file is damaged"
                                                      : "absent (a member's raw db, not a saved snapshot)");
  out += fmt::format("  pages            {} branch, {} leaf, {} overflow, {} freelist, {} unreachable (freed)\n",
                     s.pages.branch, s.pages.leaf, s.pages.overflow, s.pages.freelist, s.pages.unreachable);
  out += "  buckets         ";
  for (const auto& b : s.buckets)
    out += fmt::format(" {} {}{}", b.name, b.entries, b.is_inline ? " (inline)" : "");
  out += "\n";
  return terminal_safe(out);
}

std::string render_db_status_json(const EtcdDbStatus& s) {
  boost::json::object o;
  o["hash"] = s.hash;
  o["revision"] = s.revision;
  o["totalKey"] = s.total_key;
  o["totalSize"] = s.total_size;
  if (!s.version.empty()) o["version"] = s.version;
  o["liveKeys"] = s.total_key_live;
  o["pageSize"] = s.page_size;
  o["highWaterMark"] = s.high_water_mark;
  o["fileSize"] = s.file_size;
  o["txid"] = s.txid;
  o["metaPage"] = s.meta_page;
  o["bigEndian"] = s.big_endian;
  o["trailer"] = trailer_name(s.trailer);
  o["historyRecords"] = s.history_records;
  o["tombstones"] = s.tombstones;
  o["compactRevision"] = s.compact_revision ? boost::json::value(*s.compact_revision) : nullptr;
  o["scheduledCompactRevision"] =
      s.scheduled_compact_revision ? boost::json::value(*s.scheduled_compact_revision) : nullptr;
  o["consistentIndex"] = s.consistent_index ? boost::json::value(*s.consistent_index) : nullptr;
  o["term"] = s.term ? boost::json::value(*s.term) : nullptr;
  o["clusterVersion"] = s.cluster_version ? boost::json::value(*s.cluster_version) : nullptr;
  o["pages"] = {{"branch", s.pages.branch},
                {"leaf", s.pages.leaf},
                {"overflow", s.pages.overflow},
                {"freelist", s.pages.freelist},
                {"inlineBuckets", s.pages.inline_buckets},
                {"unreachable", s.pages.unreachable}};
  boost::json::array buckets;
  for (const auto& b : s.buckets) buckets.push_back({{"name", b.name}, {"entries", b.entries}, {"inline", b.is_inline}});
  o["buckets"] = std::move(buckets);
  return boost::json::serialize(o) + "\n";
}

std::string render_verify_text(const std::string& file, const std::vector<std::string>& problems) {
  if (problems.empty()) return terminal_safe(fmt::format("{}: ok\n", file));
  std::string out = fmt::format("{}: {} problem{} found\n", file, problems.size(), problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) out += "  " + p + "\n";
  return terminal_safe(out);
}

std::string render_verify_json(const std::string& file, const std::vector<std::string>& problems) {
  boost::json::array arr;
  for (const auto& p : problems) arr.push_back(boost::json::string(p));
  boost::json::object o{{"file", file}, {"ok", problems.empty()}, {"problems", std::move(arr)}};
  return boost::json::serialize(o) + "\n";
}

}  // namespace kvsnap
