#include "check/figures.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "render/svg.h"

namespace kvsnap {
namespace {

// How many categories a bar chart names; the rest are one "others" bar.
constexpr size_t kTopBars = 25;

// A 16-byte address BLOB (IPv4 as ::ffff:a.b.c.d) as a number of its family.
Address address_of(std::string_view bin, int family) {
  Address a = 0;
  for (unsigned char c : bin) a = (a << 8) | c;
  return family == 4 ? Address(uint32_t(a)) : a;
}

struct Range {
  Address start, end;
};

// The pod CIDR map of one family: coverage by nodes' CIDRs, overlaps, endpoint IPs outside.
std::optional<Figure> cidr_map(Db& db, const CheckReport& r, int family) {
  Stmt q = db.prepare(
      "SELECT start_bin, end_bin FROM node_cidr WHERE snapshot_id = ? AND scope = 'state' AND family = ? "
      "ORDER BY start_bin");
  q.bind(1, r.context.snapshot_id).bind(2, int64_t(family));
  std::vector<Range> ranges;
  while (q.step()) ranges.push_back({address_of(q.blob(0), family), address_of(q.blob(1), family)});
  if (ranges.empty()) return std::nullopt;
  AddressMap m;
  m.family = family;
  m.lo = ranges.front().start;
  m.hi = ranges.front().end;
  for (const auto& x : ranges) m.hi = std::max(m.hi, x.end);
  // Exact overlaps (a sweep over ranges sorted by start); the columns below are red where an
  // overlap touches them, blue where a range does, grey otherwise.
  std::vector<Range> overlaps;
  Address reach = ranges.front().end;
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].start <= reach) overlaps.push_back({ranges[i].start, std::min(ranges[i].end, reach)});
    reach = std::max(reach, ranges[i].end);
  }
  // Endpoint IPs outside their node's CIDRs, and the overlapping nodes, from the findings. The
  // stray IPs may lie outside every CIDR: the drawn span grows to hold them.
  std::vector<Address> stray;
  std::vector<std::pair<Address, std::string>> named;
  for (const auto& f : r.run.findings) {
    boost::system::error_code ec;
    auto details = boost::json::parse(f.details, ec);
    if (ec || !details.is_object()) continue;
    const auto& o = details.as_object();
    if (f.check == "ip-outside-node-cidr" && o.contains("ips") && o.at("ips").is_array()) {
      for (const auto& ip : o.at("ips").as_array()) {
        if (!ip.is_string()) continue;
        Stmt b = db.prepare("SELECT ip_bin(?)");
        b.bind_text(1, std::string(ip.as_string()));
        if (!b.step() || b.is_null(0)) continue;
        bool v4 = b.blob(0).substr(0, 12) == std::string_view("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
        if ((family == 4) == v4) stray.push_back(address_of(b.blob(0), family));
      }
    }
    if (f.check == "node-cidr-overlap" && o.contains("family") && o.at("family").is_int64() &&
        o.at("family").as_int64() == family && o.contains("cidr") && o.at("cidr").is_string()) {
      Stmt b = db.prepare("SELECT start_bin FROM node_cidr WHERE snapshot_id = ? AND cidr = ? LIMIT 1");
      b.bind(1, r.context.snapshot_id).bind_text(2, std::string(o.at("cidr").as_string()));
      if (!b.step()) continue;
      std::string nodes;
      for (const auto& k : f.keys) nodes += (nodes.empty() ? "" : " and ") + k.substr(k.find_last_of('/') + 1);
      named.emplace_back(address_of(b.blob(0), family), fmt::format("{}: {}", o.at("cidr").as_string().c_str(), nodes));
    }
  }
  for (Address a : stray) {
    m.lo = std::min(m.lo, a);
    m.hi = std::max(m.hi, a);
  }
  m.coverage.assign(kAddressColumns, 0);
  for (const auto& x : ranges)
    for (int c = address_column(m, x.start); c <= address_column(m, x.end); ++c)
      m.coverage[size_t(c)] = std::max(m.coverage[size_t(c)], 1);
  for (const auto& x : overlaps)
    for (int c = address_column(m, x.start); c <= address_column(m, x.end); ++c) m.coverage[size_t(c)] = 2;
  m.marks.assign(kAddressColumns, 0);
  for (Address a : stray) ++m.marks[size_t(address_column(m, a))];
  for (auto& [at, text] : named) m.labels.push_back({at, std::move(text), "error"});
  size_t outside = stray.size();
  Figure fig;
  fig.id = fmt::format("cidr-map-v{}", family);
  fig.title = fmt::format("Pod CIDRs on the IPv{} address space ({} CIDRs of nodes, {} overlap{})", family,
                          ranges.size(), overlaps.size(), overlaps.size() == 1 ? "" : "s");
  fig.caption = fmt::format(
      "{} to {}. Red: addresses two or more nodes claim{}; marks: {} endpoint IP{} outside "
      "their node's pod CIDRs.",
      format_address(family, m.lo), format_address(family, m.hi),
      m.labels.empty() ? "" : " (the pairs are named below)", outside, outside == 1 ? "" : "s");
  fig.svg = svg_address_map(m);
  return fig;
}

// Rows of (label, count), largest first, the tail folded into one "others" bar.
std::vector<Bar> top_bars(std::vector<std::pair<std::string, int64_t>> rows, const char* others) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<Bar> bars;
  int64_t rest = 0, rest_n = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i < kTopBars)
      bars.push_back({rows[i].first, {double(rows[i].second)}, "", ""});
    else {
      rest += rows[i].second;
      ++rest_n;
    }
  }
  if (rest_n) bars.push_back({fmt::format("{} {}", rest_n, others), {double(rest)}, "all together", "muted"});
  return bars;
}

Figure identities_per_namespace(Db& db, int64_t sid) {
  Stmt q = db.prepare(
      "SELECT coalesce(namespace, '(no namespace)'), count(*) FROM identity WHERE snapshot_id = ? AND scope = 'state' "
      "GROUP BY 1");
  q.bind(1, sid);
  std::vector<std::pair<std::string, int64_t>> rows;
  int64_t total = 0;
  while (q.step()) {
    rows.emplace_back(q.text(0), q.int64(1));
    total += q.int64(1);
  }
  BarChart c;
  c.unit = "identities";
  c.bars = top_bars(std::move(rows), "other namespaces");
  return {"identities-per-namespace", fmt::format("Identities per namespace ({} identities)", total),
          "The namespaces with the most security identities (label sets); the others as one bar.", svg_bar_chart(c)};
}

Figure identities_per_cluster(Db& db, const CheckContext& ctx) {
  Stmt q = db.prepare(
      "SELECT identity_cluster(id, ?2) AS c, count(*), sum(id < 256) FROM identity WHERE snapshot_id = ?1 AND "
      "scope = 'state' GROUP BY c ORDER BY c");
  q.bind(1, ctx.snapshot_id).bind(2, int64_t(ctx.shift()));
  BarChart c;
  c.unit = "identities";
  c.legend = {{"error", "outside the local cluster's range"}};
  int64_t out_of_range = 0;
  while (q.step()) {
    int64_t cluster = q.int64(0), n = q.int64(1);
    int64_t lo = cluster == 0 ? 256 : cluster << ctx.shift(), hi = ((cluster + 1) << ctx.shift()) - 1;
    bool local = cluster == ctx.cluster_id;
    if (!local) out_of_range += n;
    c.bars.push_back({fmt::format("cluster ID {} ({}-{})", cluster, lo, hi),
                      {double(n)},
                      local ? "local cluster" : "out of range",
                      local ? "" : "error"});
  }
  return {"identities-per-cluster-range",
          fmt::format("Identities per cluster-ID range ({} outside the local range)", out_of_range),
          fmt::format("Cluster {} (ID {}) allocates identities {} to {}; bars by the cluster ID bits of each identity "
                      "({} connected clusters).",
                      ctx.cluster_name, ctx.cluster_id, ctx.id_min(), ctx.id_max(), ctx.max_clusters),
          svg_bar_chart(c)};
}

Figure endpoints_per_node(Db& db, int64_t sid) {
  // Each endpoint by the node that holds its HostIP (an address of a node entry), else unknown.
  Stmt q = db.prepare(
      "SELECT (SELECT a.node FROM node_address a WHERE a.snapshot_id = p.snapshot_id AND a.ip_bin = p.host_ip_bin "
      "LIMIT 1) AS node, count(*) FROM ipcache p WHERE p.snapshot_id = ? AND p.scope = 'state' AND p.host_ip_bin "
      "IS NOT NULL GROUP BY p.host_ip_bin");
  q.bind(1, sid);
  std::map<std::string, int64_t> per_node;
  int64_t unknown = 0, unknown_hosts = 0, total = 0;
  while (q.step()) {
    total += q.int64(1);
    if (q.is_null(0)) {
      unknown += q.int64(1);
      ++unknown_hosts;
    } else {
      per_node[q.text(0)] += q.int64(1);
    }
  }
  BarChart c;
  c.unit = "endpoints (ipcache entries)";
  c.legend = {{"error", "HostIP of no node"}};
  c.bars = top_bars({per_node.begin(), per_node.end()}, "other nodes");
  if (unknown)
    c.bars.insert(c.bars.begin(), Bar{"unknown host IPs",
                                      {double(unknown)},
                                      fmt::format("{} host IP{}", unknown_hosts, unknown_hosts == 1 ? "" : "s"),
                                      "error"});
  return {"endpoints-per-node",
          fmt::format("Endpoints per node ({} endpoints on {} nodes, {} on unknown host IPs)", total, per_node.size(),
                      unknown),
          "ipcache entries by the node whose address is their HostIP; red: a HostIP no node entry announces.",
          svg_bar_chart(c)};
}

}  // namespace

std::vector<Figure> check_figures(Db& db, const CheckReport& r) {
  std::vector<Figure> out;
  for (int family : {4, 6})
    if (auto f = cidr_map(db, r, family)) out.push_back(std::move(*f));
  out.push_back(identities_per_namespace(db, r.context.snapshot_id));
  out.push_back(identities_per_cluster(db, r.context));
  out.push_back(endpoints_per_node(db, r.context.snapshot_id));
  return out;
}

}  // namespace kvsnap
