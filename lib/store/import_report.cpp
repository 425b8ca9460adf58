#include "store/import_report.h"

#include <cmath>

#include <fmt/format.h>

namespace kvsnap {

std::string humanize_bytes(uint64_t n) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (n < 10) return fmt::format("{} B", n);
  int e = int(std::floor(std::log(double(n)) / std::log(1000.0)));
  double val = std::floor(double(n) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  return val < 10 ? fmt::format("{:.1f} {}", val, kUnits[e]) : fmt::format("{:.0f} {}", val, kUnits[e]);
}

namespace {

template <class T>
boost::json::value opt(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

// The lines a person reads about one import.
boost::json::array import_lines(const ImportSummary& s) {
  boost::json::array out;
  auto line = [&](const char* label, const std::string& text) {
    out.emplace_back(fmt::format("{:<15} {}", label, text));
  };
  std::string rev = s.meta.revision ? fmt::format(", etcd revision {}", *s.meta.revision) : "";
  line("keys", fmt::format("{}{}{}", s.keys, rev, s.meta.keys_only ? " (keys only, no values)" : ""));
  if (s.meta.cluster_name || s.meta.cluster_id)
    line("cilium cluster", fmt::format("{} (id {})", s.meta.cluster_name.value_or("?"),
                                       s.meta.cluster_id ? std::to_string(*s.meta.cluster_id) : "?"));
  std::string decoded;
  for (const auto& [table, n] : s.counts)
    if (table != "kv_revision" && table != "lease" && table != "member")
      decoded += fmt::format("{}{} {}", decoded.empty() ? "" : ", ", table, n);
  if (s.meta.trailer) {
    auto count = [&](const char* t) { return s.counts.count(t) ? s.counts.at(t) : 0; };
    line("etcd db", fmt::format("{} history records{}, {} leases, {} members, SHA-256 trailer {}",
                                s.meta.history_records, s.history_kept ? "" : " (not kept: --no-history)",
                                count("lease"), count("member"), *s.meta.trailer));
    if (s.meta.compact_revision) line("compacted at", std::to_string(*s.meta.compact_revision));
    if (s.meta.at_revision) line("state at", fmt::format("revision {} (--at-revision)", *s.meta.at_revision));
  }
  line("decoded", !decoded.empty()     ? decoded
                  : s.meta.keys_only   ? "nothing (keys only)"
                  : s.cilium_keys == 0 ? "nothing (no Cilium keys)"
                                       : "nothing");
  line("decode errors", fmt::format("{}{}", s.decode_errors,
                                    s.decode_errors ? "  (see: kvquery 'SELECT * FROM decode_error_text')" : ""));
  if (s.undecoded_values)
    line("not decoded", fmt::format("{}  (keys-only dump: these layouts need the values)", s.undecoded_values));
  if (s.keys > 0 && s.cilium_keys == 0)
    line("WARNING", "no Cilium keys (nothing under cilium/): kvcheck has nothing to check in it");
  for (const auto& w : s.meta.warnings) line("WARNING", w);
  if (s.meta.joined_lines)
    line("joined lines",
         fmt::format("{}  (values that held newlines in a line-based dump; prefer -w json)", s.meta.joined_lines));
  if (s.meta.duplicate_records)
    line("duplicates", fmt::format("{}  (identical records seen twice, kept once)", s.meta.duplicate_records));
  return out;
}

// Seconds to the millisecond: finer is noise.
Value seconds(double s) { return Value::real(std::round(s * 1000) / 1000); }

Section timings_section(const std::vector<ImportSummary>& snapshots, const std::vector<ImportPhase>& run) {
  Section t;
  t.id = "timings";
  t.title = "timings (seconds; cpu: every thread of the process, or the thread named)";
  t.columns = {{"snapshot", ""}, {"phase", ""}, {"wall_s", "wall s"}, {"cpu_s", "cpu s"}};
  auto add = [&](const std::string& snapshot, const ImportPhase& p) {
    t.rows.push_back({Value::text(snapshot), Value::text(p.name), seconds(p.wall), seconds(p.cpu)});
  };
  for (const auto& x : snapshots)
    for (const auto& p : x.timings) add(x.name, p);
  for (const auto& p : run) add("", p);
  return t;
}

}  // namespace

Document import_report_document(const std::vector<ImportSummary>& snapshots, const std::string& db_path,
                                const std::vector<ImportPhase>* run_timings) {
  Document d;
  d.tool = "kvimport";
  d.rows_of = "snapshots";
  d.title = fmt::format("kvimport: {} snapshot{} into {}", snapshots.size(), snapshots.size() == 1 ? "" : "s", db_path);
  d.facts.push_back({"database", "database", Value::text(db_path)});
  Section s;
  s.id = "snapshots";
  s.title = "imported";
  s.layout = Layout::Records;
  s.headline = 0;
  s.items = 1;
  s.all_items = true;
  s.columns = {{"headline", "", Audience::People},
               {"lines", "", Audience::People},
               {"id", ""},
               {"name", ""},
               {"source", ""},
               {"format", ""},
               {"compression", ""},
               {"keys", ""},
               {"cilium_keys", ""},
               {"revision", ""},
               {"keys_only", ""},
               {"counts", "", Audience::Programs},
               {"decode_errors", ""},
               {"joined_lines", ""},
               {"warnings", "", Audience::Programs},
               {"undecoded_values", ""},
               {"duplicate_records", ""},
               {"cluster_name", ""},
               {"cluster_id", ""},
               {"trailer", ""},
               {"history_records", ""},
               {"compact_revision", ""},
               {"at_revision", ""}};
  for (const auto& x : snapshots) {
    boost::json::object counts;
    for (const auto& [table, n] : x.counts) counts[table] = n;
    boost::json::array warnings;
    for (const auto& w : x.meta.warnings) warnings.emplace_back(w);
    const auto& m = x.meta;
    s.rows.push_back({Value::text(fmt::format("snapshot {} \"{}\" <- {} ({}{})", x.snapshot_id, x.name, x.source,
                                              x.format, x.compression.empty() ? "" : ", " + x.compression)),
                      Value::of(import_lines(x)),
                      Value::integer(x.snapshot_id),
                      Value::text(x.name),
                      Value::text(x.source),
                      Value::text(x.format),
                      x.compression.empty() ? Value::null() : Value::text(x.compression),
                      Value::integer(x.keys),
                      Value::integer(x.cilium_keys),
                      Value::of(opt(m.revision)),
                      Value::boolean(m.keys_only),
                      Value::of(std::move(counts)),
                      Value::integer(x.decode_errors),
                      Value::integer(m.joined_lines),
                      Value::of(std::move(warnings)),
                      Value::integer(x.undecoded_values),
                      Value::integer(m.duplicate_records),
                      Value::of(opt(m.cluster_name)),
                      Value::of(opt(m.cluster_id)),
                      Value::of(opt(m.trailer)),
                      m.trailer ? Value::integer(m.history_records) : Value::null(),
                      Value::of(opt(m.compact_revision)),
                      Value::of(opt(m.at_revision))});
  }
  d.sections.push_back(std::move(s));
  if (run_timings) d.sections.push_back(timings_section(snapshots, *run_timings));
  return d;
}

Document db_status_document(const std::string& file, const EtcdDbStatus& s) {
  Document d;
  d.tool = "kvimport";
  d.rows_of = "buckets";
  d.title = fmt::format("{}: etcd db, {}-endian bbolt, page size {}, meta page {} (txid {})", file,
                        s.big_endian ? "big" : "little", s.page_size, s.meta_page, s.txid);
  auto fact = [&](const char* key, const char* label, Value v, std::string shown = "") {
    d.facts.push_back({key, label, std::move(v), std::move(shown)});
  };
  // The first four are etcdctl snapshot status -w json's own numbers, under its own names.
  fact("hash", "hash", Value::integer(int64_t(s.hash)), fmt::format("{} ({:x})", s.hash, s.hash));
  fact("revision", "revision", Value::integer(s.revision));
  fact("totalKey", "totalKey", Value::integer(int64_t(s.total_key)),
       fmt::format("{} (entries in all buckets, as etcdctl 3.4/3.5 counts)", s.total_key));
  fact("totalSize", "totalSize", Value::integer(int64_t(s.total_size)),
       fmt::format("{} ({}; {} pages, file {} bytes)", s.total_size, humanize_bytes(s.total_size), s.high_water_mark,
                   s.file_size));
  if (!s.version.empty()) fact("version", "storage version", Value::text(s.version));
  fact("liveKeys", "live keys", Value::integer(int64_t(s.total_key_live)),
       fmt::format("{} (etcd 3.6+ totalKey)", s.total_key_live));
  fact("pageSize", "", Value::integer(int64_t(s.page_size)));
  fact("highWaterMark", "", Value::integer(int64_t(s.high_water_mark)));
  fact("fileSize", "", Value::integer(int64_t(s.file_size)));
  fact("txid", "", Value::integer(int64_t(s.txid)));
  fact("metaPage", "", Value::integer(int64_t(s.meta_page)));
  fact("bigEndian", "", Value::boolean(s.big_endian));
  fact("clusterVersion", s.cluster_version ? "cluster version" : "", Value::of(opt(s.cluster_version)));
  fact("historyRecords", "history", Value::integer(s.history_records),
       fmt::format("{} records ({} tombstones)", s.history_records, s.tombstones));
  fact("tombstones", "", Value::integer(s.tombstones));
  fact("compactRevision", "compaction", Value::of(opt(s.compact_revision)),
       s.compact_revision || s.scheduled_compact_revision
           ? fmt::format("finished {}, scheduled {}", s.compact_revision ? std::to_string(*s.compact_revision) : "-",
                         s.scheduled_compact_revision ? std::to_string(*s.scheduled_compact_revision) : "-")
           : "none");
  fact("scheduledCompactRevision", "", Value::of(opt(s.scheduled_compact_revision)));
  fact("consistentIndex", s.consistent_index ? "consistent index" : "", Value::of(opt(s.consistent_index)));
  fact("term", "", Value::of(opt(s.term)));
  fact("trailer", "trailer", Value::text(trailer_name(s.trailer)),
       s.trailer == Trailer::Match      ? "SHA-256 present and matching (etcdctl snapshot save)"
       : s.trailer == Trailer::Mismatch ? "SHA-256 present and WRONG: the file is damaged"
                                        : "absent (a member's raw db, not a saved snapshot)");
  fact("pages", "pages",
       Value::of(boost::json::object{{"branch", s.pages.branch},
                                     {"leaf", s.pages.leaf},
                                     {"overflow", s.pages.overflow},
                                     {"freelist", s.pages.freelist},
                                     {"inlineBuckets", s.pages.inline_buckets},
                                     {"unreachable", s.pages.unreachable}}),
       fmt::format("{} branch, {} leaf, {} overflow, {} freelist, {} unreachable (freed)", s.pages.branch, s.pages.leaf,
                   s.pages.overflow, s.pages.freelist, s.pages.unreachable));
  Section b;
  b.id = "buckets";
  b.title = "buckets";
  b.columns = {{"name", ""}, {"entries", ""}, {"inline", ""}};
  for (const auto& x : s.buckets)
    b.rows.push_back({Value::text(x.name), Value::integer(int64_t(x.entries)), Value::boolean(x.is_inline)});
  d.sections.push_back(std::move(b));
  return d;
}

Document db_verify_document(const std::string& file, const std::vector<std::string>& problems) {
  Document d;
  d.tool = "kvimport";
  d.rows_of = "problems";
  d.exit_status = problems.empty() ? 0 : 1;
  d.title = problems.empty()
                ? fmt::format("{}: ok", file)
                : fmt::format("{}: {} problem{} found", file, problems.size(), problems.size() == 1 ? "" : "s");
  d.facts.push_back({"file", "", Value::text(file)});
  d.facts.push_back({"ok", "", Value::boolean(problems.empty())});
  Section p;
  p.id = "problems";
  p.title = "problems";
  p.tag = "error";
  p.columns = {{"problem", ""}};
  for (const auto& x : problems) p.rows.push_back({Value::text(x)});
  d.sections.push_back(std::move(p));
  return d;
}

}  // namespace kvsnap
