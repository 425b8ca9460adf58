// Tests of the synthetic cluster generator (bench/gen). Uses bench/gen headers, util/codec.h
// (the base64 the writers use) and net/ip.h (the product's IP address parser).
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gen/cluster.h"
#include "gen/codec.h"
#include "gen/output.h"
#include "net/ip.h"
#include "util/codec.h"

using namespace kvsnap::gen;
namespace json = boost::json;

namespace {

std::string b64decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    REQUIRE(v >= 0);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// An IPv4 address in canonical text, as a number (host byte order).
uint32_t ipv4_number(const std::string& text) {
  const auto ip = kvsnap::parse_ip(text);
  REQUIRE(ip);
  REQUIRE(ip->v4);
  CHECK(ip->to_string() == text);
  return (uint32_t{ip->bytes[12]} << 24) | (uint32_t{ip->bytes[13]} << 16) | (uint32_t{ip->bytes[14]} << 8) |
         uint32_t{ip->bytes[15]};
}

std::vector<GenKey> collect(const Cluster& c, Order order) {
  std::vector<GenKey> v;
  c.generate(order, [&](const GenKey& g) { v.push_back(g); });
  return v;
}

std::string render(const Cluster& c, Format f, bool sorted = false, std::string prefix = {}) {
  std::string out;
  WriteOptions wo;
  wo.format = f;
  wo.sorted = sorted;
  wo.prefix = std::move(prefix);
  write_cluster(c, wo, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

GenOptions small(uint64_t seed = 7, std::string version = "1.16") {
  GenOptions o;
  o.nodes = 6;
  o.identities = 40;
  o.pods_per_node = 30;
  o.services = 12;
  o.seed = seed;
  o.cilium_version = std::move(version);
  return o;
}

struct Label {
  std::string source, key, value;
};

// Cilium's parseLabel over a kvstore label string (first ':' and first '=').
std::vector<Label> parse_labels(const std::string& s) {
  std::vector<Label> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(';', start);
    REQUIRE(end != std::string::npos);
    std::string e = s.substr(start, end - start);
    size_t colon = e.find(':');
    REQUIRE(colon != std::string::npos);
    size_t eq = e.find('=', colon + 1);
    REQUIRE(eq != std::string::npos);
    out.push_back({e.substr(0, colon), e.substr(colon + 1, eq - colon - 1), e.substr(eq + 1)});
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("gen: deterministic for a seed, different across seeds") {
  Cluster a(small(7)), b(small(7)), c(small(8));
  for (Format f : {Format::EtcdJson, Format::CiliumJson, Format::CiliumText, Format::Load, Format::Csv}) {
    CHECK(render(a, f) == render(b, f));
  }
  CHECK(render(a, Format::CiliumText, true) == render(b, Format::CiliumText, true));
  CHECK(render(a, Format::CiliumText) != render(c, Format::CiliumText));
}

TEST_CASE("gen: sorted order is byte-wise ascending, revision order is ascending revision") {
  Cluster c(small());
  auto sorted = collect(c, Order::Sorted);
  auto byrev = collect(c, Order::Revision);
  REQUIRE(sorted.size() == static_cast<size_t>(c.summary().total_keys));
  REQUIRE(byrev.size() == sorted.size());
  for (size_t i = 1; i < sorted.size(); ++i) CHECK(sorted[i - 1].key < sorted[i].key);
  for (size_t i = 0; i < byrev.size(); ++i) {
    CHECK(byrev[i].mod_revision == static_cast<int64_t>(i) + c.summary().first_revision);
    CHECK(byrev[i].create_revision == byrev[i].mod_revision);
    CHECK(byrev[i].version == 1);
  }
  CHECK(byrev.back().mod_revision == c.summary().last_revision);
  std::map<std::string, std::pair<std::string, int64_t>> m1, m2;
  for (auto& g : sorted) m1[g.key] = {g.value, g.mod_revision};
  for (auto& g : byrev) m2[g.key] = {g.value, g.mod_revision};
  CHECK(m1 == m2);
}

TEST_CASE("gen: identity label strings are canonical and slave keys match masters") {
  for (const char* version : {"1.8", "1.16"}) {
    GenOptions o = small(11, version);
    o.cluster_name = "cluster3";
    o.cluster_id = 3;
    Cluster c(o);
    std::map<std::string, std::string> master_by_id;  // id -> labels
    std::map<std::string, std::string> id_by_labels;  // labels -> id
    std::set<std::string> node_ips;
    for (int n = 0; n < o.nodes; ++n) node_ips.insert(c.node(n).internal_ip);
    int64_t slaves = 0;
    for (const GenKey& g : collect(c, Order::Sorted)) {
      if (starts_with(g.key, kIdentityIdPrefix)) {
        const std::string id = g.key.substr(kIdentityIdPrefix.size());
        const unsigned long v = std::stoul(id);
        CHECK(v >= 3u * 65536 + 256);
        CHECK(v <= 3u * 65536 + 65535);
        CHECK(g.lease == 0);
        CHECK(g.lease_group == 0);
        REQUIRE(!g.value.empty());
        CHECK(g.value.back() == ';');
        auto labels = parse_labels(g.value);
        std::string reser;
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i) CHECK(labels[i - 1].key < labels[i].key);  // sorted by key, unique
          reser += labels[i].source + ":" + labels[i].key + "=" + labels[i].value + ";";
        }
        CHECK(reser == g.value);
        bool has_cluster = false;
        for (auto& l : labels)
          if (l.key == "io.cilium.k8s.policy.cluster") has_cluster = l.value == "cluster3";
        CHECK(has_cluster);
        CHECK(id_by_labels.emplace(g.value, id).second);  // no duplicate label sets
        master_by_id[id] = g.value;
      } else if (starts_with(g.key, kIdentityValuePrefix)) {
        ++slaves;
        const size_t slash = g.key.rfind('/');
        const std::string labels = g.key.substr(kIdentityValuePrefix.size(), slash - kIdentityValuePrefix.size());
        const std::string ip = g.key.substr(slash + 1);
        CHECK(node_ips.count(ip) == 1);
        REQUIRE(master_by_id.count(g.value) == 1);  // masters sort before slaves
        CHECK(master_by_id[g.value] == labels);
        CHECK(g.lease != 0);
        CHECK(g.lease_group >= 1);
        CHECK(g.lease_group <= o.nodes);
        CHECK(c.node(g.lease_group - 1).internal_ip == ip);  // the node's own agent lease
      }
    }
    CHECK(static_cast<int>(master_by_id.size()) == o.identities);
    CHECK(slaves == c.summary().slave_keys);
    for (int k = 0; k < o.identities; ++k) CHECK(c.identity_labels(k).back() == ';');
  }
}

TEST_CASE("gen: ipcache entries point at their node and lie in its pod CIDR") {
  for (const char* version : {"1.8", "1.16", "1.19"}) {
    Cluster c(small(3, version));
    struct NodeView {
      std::string name;
      uint32_t net = 0;
      int len = 0;
      int64_t lease = 0;
    };
    std::map<std::string, NodeView> by_ip;  // InternalIP -> node
    std::set<std::string> master_ids;
    std::vector<GenKey> ip_keys;
    for (const GenKey& g : collect(c, Order::Sorted)) {
      if (starts_with(g.key, kNodesPrefix)) {
        json::object v = json::parse(g.value).as_object();
        NodeView nv;
        nv.name = json::value_to<std::string>(v.at("Name"));
        CHECK(g.key == std::string(kNodesPrefix) + "default/" + nv.name);
        std::string internal;
        for (auto& a : v.at("IPAddresses").as_array())
          if (a.at("Type").as_string() == "InternalIP") internal = json::value_to<std::string>(a.at("IP"));
        auto& cidr = v.at("IPv4AllocCIDR").as_object();
        nv.net = ipv4_number(json::value_to<std::string>(cidr.at("IP")));
        const std::string mask = b64decode(json::value_to<std::string>(cidr.at("Mask")));
        REQUIRE(mask.size() == 4);
        uint32_t m = 0;
        for (char ch : mask) m = (m << 8) | static_cast<unsigned char>(ch);
        nv.len = __builtin_popcount(m);
        CHECK(m == (nv.len == 0 ? 0u : ~0u << (32 - nv.len)));  // contiguous
        CHECK((nv.net & m) == nv.net);                          // network address
        nv.lease = g.lease;
        CHECK(by_ip.emplace(internal, nv).second);
      } else if (starts_with(g.key, kIdentityIdPrefix)) {
        master_ids.insert(g.key.substr(kIdentityIdPrefix.size()));
      } else if (starts_with(g.key, kIpcachePrefix)) {
        ip_keys.push_back(g);
      }
    }
    REQUIRE(static_cast<int>(by_ip.size()) == c.summary().nodes);
    // pod CIDRs do not overlap
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    for (auto& [ip, nv] : by_ip) ranges.emplace_back(nv.net, nv.net + (1u << (32 - nv.len)) - 1);
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i - 1].second < ranges[i].first);

    REQUIRE(static_cast<int64_t>(ip_keys.size()) == c.summary().ipcache_keys);
    int health = 0;
    for (const GenKey& g : ip_keys) {
      json::object v = json::parse(g.value).as_object();
      const std::string ip = json::value_to<std::string>(v.at("IP"));
      CHECK(g.key == std::string(kIpcachePrefix) + ip);
      CHECK(v.at("Mask").is_null());
      const std::string host = json::value_to<std::string>(v.at("HostIP"));
      REQUIRE(by_ip.count(host) == 1);
      const NodeView& nv = by_ip[host];
      const uint32_t a = ipv4_number(ip);
      const uint32_t mask = ~0u << (32 - nv.len);
      CHECK((a & mask) == nv.net);
      CHECK(a != nv.net);
      CHECK(a != (nv.net | ~mask));
      CHECK(g.lease == nv.lease);
      const std::string md = json::value_to<std::string>(v.at("Metadata"));
      CHECK(starts_with(md, "cilium-global:default:" + nv.name + ":"));
      const int64_t id = v.at("ID").as_int64();
      if (id == 4) {
        ++health;
        CHECK(!v.contains("K8sPodName"));
      } else {
        CHECK(master_ids.count(std::to_string(id)) == 1);
        CHECK(v.contains("K8sNamespace"));
        CHECK(v.contains("K8sServiceAccount") == (c.summary().cilium_minor >= 19));
      }
    }
    CHECK(health == (c.summary().health_in_ipcache ? c.summary().nodes : 0));
  }
}

TEST_CASE("gen: --keys picks counts within 5%") {
  for (int64_t keys : {10000, 2500, 100000}) {
    GenOptions o = options_for_keys(keys, GenOptions{});
    GenSummary s = summarize(o);
    CAPTURE(keys);
    CHECK(std::fabs(static_cast<double>(s.total_keys - keys)) <= 0.05 * keys);
    if (keys == 10000) {
      Cluster c(o);
      int64_t n = 0;
      c.generate(Order::Revision, [&](const GenKey&) { ++n; });
      CHECK(n == s.total_keys);
      CHECK(s.total_keys ==
            s.master_keys + s.slave_keys + s.ipcache_keys + s.node_keys + s.service_keys + s.other_keys);
      CHECK(s.pod_cidr_prefix_len == 24);
    }
  }
}

TEST_CASE("gen: etcd-json shape") {
  Cluster c(small());
  const std::string out = render(c, Format::EtcdJson);
  REQUIRE(out.back() == '\n');
  CHECK(out.find('\n') == out.size() - 1);  // one line
  CHECK(starts_with(out, "{\"header\":{\"cluster_id\":"));
  json::object doc = json::parse(out).as_object();
  auto& kvs = doc.at("kvs").as_array();
  CHECK(doc.at("count").as_int64() == static_cast<int64_t>(kvs.size()));
  CHECK(doc.at("header").at("revision").as_int64() == c.summary().last_revision);
  CHECK(!doc.contains("more"));
  std::string prev;
  for (auto& kv : kvs) {
    auto& o = kv.as_object();
    std::string key = b64decode(json::value_to<std::string>(o.at("key")));
    CHECK(prev < key);
    prev = key;
    CHECK(o.contains("value"));
    if (starts_with(key, kIdentityIdPrefix))
      CHECK(!o.contains("lease"));  // omitempty
    else
      CHECK(o.at("lease").as_int64() >= kLeaseBase);
  }
  // A prefix with no keys gives the header only.
  const std::string empty = render(c, Format::EtcdJson, false, "cilium/state/cnpstatuses");
  CHECK(empty.find("kvs") == std::string::npos);
  CHECK(empty.find("count") == std::string::npos);
}

TEST_CASE("gen: cilium-json shape") {
  Cluster c16(small(5, "1.16")), c17(small(5, "1.17"));
  const std::string a = render(c16, Format::CiliumJson);
  const std::string b = render(c17, Format::CiliumJson);
  CHECK(starts_with(a, "{\n  \"cilium/.heartbeat\": {\n    \"Data\": \""));
  CHECK(a.size() > 3);
  CHECK(a.substr(a.size() - 4) == "\n}\n\n");
  CHECK(a.find("\"SessionID\": \"\"") != std::string::npos);
  CHECK(b.find("SessionID") == std::string::npos);
  json::object doc = json::parse(a).as_object();
  CHECK(static_cast<int64_t>(doc.size()) == c16.summary().total_keys);
  for (auto& [k, v] : doc) {
    auto& o = v.as_object();
    CHECK(o.size() == 4);
    CHECK(o.at("ModRevision").as_int64() >= 2);
  }
  CHECK(render(c16, Format::CiliumJson, false, "cilium/state/cnpstatuses") == "{}\n\n");
  const std::string nodes = render(c16, Format::CiliumJson, false, "cilium/state/nodes");
  CHECK(json::parse(nodes).as_object().size() == 6);
}

TEST_CASE("gen: version-specific value shapes") {
  auto first_value = [](const Cluster& c, std::string_view prefix) {
    std::string v;
    c.generate(Order::Sorted, [&](const GenKey& g) {
      if (v.empty() && g.key.compare(0, prefix.size(), prefix) == 0) v = g.value;
    });
    return v;
  };
  Cluster v8(small(1, "1.8")), v16(small(1, "1.16")), v19(small(1, "1.19"));
  const std::string n8 = first_value(v8, kNodesPrefix), n16 = first_value(v16, kNodesPrefix);
  CHECK(n8.find("NodeIdentity") == std::string::npos);
  CHECK(n8.find("IPv4SecondaryAllocCIDRs") == std::string::npos);
  CHECK(n8.find("\"IPv6AllocCIDR\":null,\"IPv4HealthIP\"") != std::string::npos);
  CHECK(n16.find("\"Annotations\":null,\"NodeIdentity\":1,\"WireguardPubKey\":\"\",\"BootID\":\"") !=
        std::string::npos);
  const std::string s8 = first_value(v8, kServicesPrefix), s16 = first_value(v16, kServicesPrefix),
                    s19 = first_value(v19, kServicesPrefix);
  CHECK(s8.find("includeExternal") == std::string::npos);
  CHECK(s16.find("\"hostnames\":{},\"labels\"") != std::string::npos);
  CHECK(s16.find("\"clusterID\":0}") != std::string::npos);
  CHECK(s19.find("hostnames") == std::string::npos);
  CHECK(v8.summary().other_keys == 1);   // heartbeat only
  CHECK(v16.summary().other_keys == 2);  // + services sync canary

  GenOptions cm = small(1, "1.16");
  cm.cluster_name = "cluster1";
  cm.cluster_id = 1;
  Cluster with_cfg(cm);
  CHECK(first_value(with_cfg, kClusterConfigPrefix) == "{\"id\":1,\"capabilities\":{\"maxConnectedClusters\":255}}");
  cm.cilium_version = "1.18";
  cm.cluster_name = "default";
  Cluster with_cfg18(cm);
  CHECK(first_value(with_cfg18, kClusterConfigPrefix) ==
        "{\"id\":1,\"capabilities\":{\"maxConnectedClusters\":255,\"serviceExportsEnabled\":false}}");
  cm.cilium_version = "1.16";  // 1.15-1.17 operator skips cluster "default"
  Cluster no_cfg(cm);
  CHECK(first_value(no_cfg, kClusterConfigPrefix).empty());
}

TEST_CASE("gen: codec") {
  // The writers' base64 is util's; these are the shapes Go's encoding/json gives for []byte.
  CHECK(kvsnap::base64_encode("65793") == "NjU3OTM=");
  CHECK(kvsnap::base64_encode(std::string("\xff\xff\xff\x00", 4)) == "////AA==");
  std::string s;
  append_go_json_string(s, std::string("a<b>&\"\\\n\x01\xff", 10));
  CHECK(s == "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\\ufffd\"");
  CHECK(parse_cilium_minor("1.16") == 16);
  CHECK(parse_cilium_minor("v1.8.13") == 8);
  CHECK(parse_cilium_minor("2.0") == -1);
  // Addresses the generator holds as numbers, in the product's IPv4 text.
  CHECK(ipv4_text(0x0A000102u) == "10.0.1.2");
  CHECK(ipv4_text(0xC0A80105u) == "192.168.1.5");
  CHECK(ipv4_text(0) == "0.0.0.0");
  CHECK(ipv4_text(0xFFFFFFFFu) == "255.255.255.255");
}

TEST_CASE("gen: csv field quoting (RFC 4180)") {
  auto field = [](std::string_view in) {
    std::string s = "x";  // appends, never overwrites
    append_csv_field(s, in);
    return s.substr(1);
  };
  CHECK(field("cilium/state/ip/v1/default/10.0.0.1") == "cilium/state/ip/v1/default/10.0.0.1");
  CHECK(field("") == "");
  CHECK(field("a b;c=d'e") == "a b;c=d'e");  // nothing that needs quotes
  CHECK(field("a,b") == "\"a,b\"");
  CHECK(field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(field("\"") == "\"\"\"\"");
  CHECK(field("line1\nline2") == "\"line1\nline2\"");
  CHECK(field("cr\r") == "\"cr\r\"");
  CHECK(field("{\"k\":\"v\",\"n\":1}") == "\"{\"\"k\"\":\"\"v\"\",\"\"n\"\":1}\"");
  CHECK(field(std::string("nul\0byte,\xff", 10)) == std::string("\"nul\0byte,\xff\"", 12));
}

TEST_CASE("gen: csv holds etcd-json's keys and values in its order") {
  Cluster c(small());
  const std::string csv = render(c, Format::Csv);
  // RFC 4180 reader: records end in CRLF, a quoted field runs to a '"' not followed by '"'.
  std::vector<std::pair<std::string, std::string>> rows;
  size_t i = 0;
  auto read_field = [&](std::string& f) {
    f.clear();
    if (i < csv.size() && csv[i] == '"') {
      for (++i;; ++i) {
        REQUIRE(i < csv.size());
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            f.push_back('"');
            ++i;
          } else {
            ++i;
            return;
          }
        } else {
          f.push_back(csv[i]);
        }
      }
    }
    while (i < csv.size() && csv[i] != ',' && csv[i] != '\r' && csv[i] != '\n') f.push_back(csv[i++]);
  };
  while (i < csv.size()) {
    std::string k, v;
    read_field(k);
    REQUIRE(csv[i] == ',');
    ++i;
    read_field(v);
    REQUIRE(csv.compare(i, 2, "\r\n") == 0);
    i += 2;
    rows.emplace_back(std::move(k), std::move(v));
  }
  json::object doc = json::parse(render(c, Format::EtcdJson)).as_object();
  auto& kvs = doc.at("kvs").as_array();
  REQUIRE(rows.size() == kvs.size());
  REQUIRE(static_cast<int64_t>(rows.size()) == c.summary().total_keys);
  size_t quoted_values = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    auto& o = kvs[r].as_object();
    CHECK(rows[r].first == b64decode(json::value_to<std::string>(o.at("key"))));
    CHECK(rows[r].second == b64decode(json::value_to<std::string>(o.at("value"))));
    if (rows[r].second.find('"') != std::string::npos) ++quoted_values;
  }
  CHECK(quoted_values > 0);  // JSON values (ipcache, nodes, services) went through quoting
  // --sorted is implied, and --prefix narrows it like etcd-json.
  CHECK(render(c, Format::Csv, true) == csv);
  const std::string nodes = render(c, Format::Csv, false, std::string(kNodesPrefix));
  CHECK(std::count(nodes.begin(), nodes.end(), '\n') == 6);
  CHECK(starts_with(nodes, std::string(kNodesPrefix)));
  CHECK(render(c, Format::Csv, false, "cilium/state/cnpstatuses").empty());
}

TEST_CASE("gen: rejects unhealthy options") {
  GenOptions o = small();
  o.identities = o.nodes * o.pods_per_node + 1;
  CHECK_THROWS_AS(Cluster{o}, std::invalid_argument);
  o = small();
  o.cilium_version = "1.7";
  CHECK_THROWS_AS(Cluster{o}, std::invalid_argument);
  o = small();
  o.cluster_name = "Bad_Name";
  CHECK_THROWS_AS(Cluster{o}, std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// --change-fraction: a later state of the same cluster.

namespace {

struct KeyState {
  std::string value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
  bool operator==(const KeyState&) const = default;
};

std::map<std::string, KeyState> key_states(const Cluster& c) {
  std::map<std::string, KeyState> m;
  c.generate(Order::Sorted, [&](const GenKey& g) {
    m[g.key] = {g.value, g.create_revision, g.mod_revision, g.version, g.lease};
  });
  return m;
}

// The kv objects of an etcd-json dump by key (each object's JSON text as written).
std::map<std::string, std::string> etcd_json_objects(const std::string& out) {
  std::map<std::string, std::string> m;
  json::object doc = json::parse(out).as_object();
  for (auto& kv : doc.at("kvs").as_array())
    m[b64decode(json::value_to<std::string>(kv.at("key")))] = json::serialize(kv);
  return m;
}

}  // namespace

TEST_CASE("gen: --change-fraction 0 is the plain output") {
  GenOptions plain = options_for_keys(20000, GenOptions{});
  GenOptions zero = plain;
  zero.change_fraction = 0;
  zero.change_seed = 12345;
  Cluster a(plain), b(zero);
  for (Format f : {Format::EtcdJson, Format::CiliumJson, Format::Csv, Format::Load})
    CHECK(render(a, f) == render(b, f));
  CHECK(render(a, Format::CiliumText) == render(b, Format::CiliumText));
  CHECK(!b.summary().changed);
  GenOptions bad = plain;
  bad.change_fraction = 0.3;
  CHECK_THROWS_AS(Cluster{bad}, std::invalid_argument);
  bad.change_fraction = -0.01;
  CHECK_THROWS_AS(Cluster{bad}, std::invalid_argument);
}

TEST_CASE("gen: --change-fraction 0.01 on 20000 keys changes 0.5% to 2% of the keys, the rest byte for byte") {
  GenOptions o = options_for_keys(20000, GenOptions{});
  Cluster base(o);
  o.change_fraction = 0.01;
  o.change_seed = 7;
  Cluster later(o);
  const auto a = key_states(base), b = key_states(later);
  int64_t added = 0, removed = 0, changed = 0;
  for (const auto& [k, st] : a) {
    auto it = b.find(k);
    if (it == b.end())
      ++removed;
    else if (!(it->second == st))
      ++changed;
  }
  for (const auto& [k, st] : b) added += a.count(k) ? 0 : 1;
  const int64_t differ = added + removed + changed;
  const double keys = static_cast<double>(base.summary().total_keys);
  CAPTURE(added);
  CAPTURE(removed);
  CAPTURE(changed);
  CHECK(differ >= 0.005 * keys);
  CHECK(differ <= 0.02 * keys);
  CHECK(added > 0);
  CHECK(removed > 0);
  CHECK(changed > 0);

  // The summary says the same, entity type by entity type.
  const GenSummary& s = later.summary();
  REQUIRE(s.changed);
  const KeyChanges t = s.change.total();
  CHECK(t.added == added);
  CHECK(t.removed == removed);
  CHECK(t.changed == changed);
  CHECK(s.change.base_keys == base.summary().total_keys);
  CHECK(s.change.base_last_revision == base.summary().last_revision);
  CHECK(s.total_keys == static_cast<int64_t>(b.size()));
  for (const auto& [k, st] : b)
    if (!a.count(k) || !(a.at(k) == st)) CHECK(st.mod_revision > base.summary().last_revision);
  CHECK(s.change.identity.added >= 1);
  CHECK(s.change.identity.removed >= 1);
  CHECK(s.change.identity_ref.added > 0);
  CHECK(s.change.identity_ref.removed > 0);
  CHECK(s.change.ipcache.added > 0);
  CHECK(s.change.ipcache.removed > 0);
  CHECK(s.change.ipcache.changed > 0);
  CHECK(s.change.service.changed > 0);
  CHECK(s.change.node.changed >= 1);
  CHECK(s.change.key.changed == 1);  // the heartbeat

  // In the dump: every unchanged key's kv object is the same text; the header has the new revision.
  const std::string later_json = render(later, Format::EtcdJson);
  const auto ja = etcd_json_objects(render(base, Format::EtcdJson)), jb = etcd_json_objects(later_json);
  int64_t same = 0;
  for (const auto& [k, obj] : ja) {
    auto it = jb.find(k);
    if (it != jb.end() && a.at(k) == b.at(k)) {
      CHECK(it->second == obj);
      ++same;
    }
  }
  CHECK(same == static_cast<int64_t>(a.size()) - removed - changed);
  CHECK(json::parse(later_json).at("header").at("revision").as_int64() == s.last_revision);

  // Deterministic for a change seed, different across change seeds.
  Cluster again(o);
  CHECK(render(again, Format::EtcdJson) == later_json);
  o.change_seed = 8;
  Cluster other(o);
  CHECK(render(other, Format::EtcdJson) != later_json);
}

TEST_CASE("gen: the later state is a consistent cluster, in both orders") {
  for (const char* version : {"1.8", "1.16", "1.19"}) {
    CAPTURE(version);
    GenOptions o = small(21, version);
    o.nodes = 12;
    o.identities = 60;
    o.cluster_name = "cluster2";
    o.cluster_id = 2;
    Cluster base(o);
    o.change_fraction = 0.05;
    o.change_seed = 3;
    Cluster c(o);
    const GenSummary& s = c.summary();
    auto sorted = collect(c, Order::Sorted);
    auto byrev = collect(c, Order::Revision);
    REQUIRE(static_cast<int64_t>(sorted.size()) == s.total_keys);
    REQUIRE(byrev.size() == sorted.size());
    for (size_t i = 1; i < sorted.size(); ++i) CHECK(sorted[i - 1].key < sorted[i].key);
    for (size_t i = 1; i < byrev.size(); ++i) CHECK(byrev[i - 1].mod_revision < byrev[i].mod_revision);
    CHECK(byrev.back().mod_revision == s.last_revision);
    CHECK(byrev.back().key == kHeartbeatKey);
    std::map<std::string, std::string> m1, m2;
    for (auto& g : sorted) m1[g.key] = g.value;
    for (auto& g : byrev) m2[g.key] = g.value;
    CHECK(m1 == m2);

    // Nodes (CIDRs, secondary ones included), masters, slaves, ipcache, services.
    struct NodeView {
      std::string name;
      std::vector<std::pair<uint32_t, uint32_t>> ranges;
      int64_t lease = 0;
    };
    std::map<std::string, NodeView> nodes;                 // InternalIP -> node
    std::map<std::string, std::string> master;             // id -> labels
    std::set<std::pair<std::string, std::string>> slaves;  // (id, node ip)
    std::set<std::pair<std::string, std::string>> used;    // (id, node ip) of ipcache entries
    std::set<std::string> ips;
    std::vector<std::string> backends;
    int secondary = 0, labelled = 0;
    for (const GenKey& g : sorted) {
      if (starts_with(g.key, kNodesPrefix)) {
        json::object v = json::parse(g.value).as_object();
        NodeView nv;
        nv.name = json::value_to<std::string>(v.at("Name"));
        nv.lease = g.lease;
        auto add_cidr = [&](const json::value& cv) {
          const uint32_t net = ipv4_number(json::value_to<std::string>(cv.at("IP")));
          const std::string mask = b64decode(json::value_to<std::string>(cv.at("Mask")));
          REQUIRE(mask.size() == 4);
          uint32_t mk = 0;
          for (char ch : mask) mk = (mk << 8) | static_cast<unsigned char>(ch);
          nv.ranges.emplace_back(net, net | ~mk);
        };
        add_cidr(v.at("IPv4AllocCIDR"));
        if (const json::value* sec = v.if_contains("IPv4SecondaryAllocCIDRs"); sec && !sec->is_null()) {
          for (auto& cv : sec->as_array()) add_cidr(cv);
          ++secondary;
        }
        if (v.at("Labels").as_object().contains("topology.kubernetes.io/zone")) ++labelled;
        std::string internal;
        for (auto& a : v.at("IPAddresses").as_array())
          if (a.at("Type").as_string() == "InternalIP") internal = json::value_to<std::string>(a.at("IP"));
        nodes[internal] = nv;
      } else if (starts_with(g.key, kIdentityIdPrefix)) {
        CHECK(master.emplace(g.key.substr(kIdentityIdPrefix.size()), g.value).second);
      } else if (starts_with(g.key, kIdentityValuePrefix)) {
        const size_t slash = g.key.rfind('/');
        const std::string labels = g.key.substr(kIdentityValuePrefix.size(), slash - kIdentityValuePrefix.size());
        REQUIRE(master.count(g.value) == 1);
        CHECK(master[g.value] == labels);
        slaves.emplace(g.value, g.key.substr(slash + 1));
      } else if (starts_with(g.key, kIpcachePrefix)) {
        json::object v = json::parse(g.value).as_object();
        const std::string ip = json::value_to<std::string>(v.at("IP"));
        CHECK(g.key == std::string(kIpcachePrefix) + ip);
        ips.insert(ip);  // the rest below: nodes sort after the ipcache
      } else if (starts_with(g.key, kServicesPrefix)) {
        json::object v = json::parse(g.value).as_object();
        CHECK(!v.at("backends").as_object().empty());
        for (auto& [bip, _] : v.at("backends").as_object()) backends.emplace_back(bip);
      }
    }
    CHECK(labelled == 1);
    CHECK(secondary == (std::string(version) == "1.8" ? 0 : 1));
    REQUIRE(nodes.size() == static_cast<size_t>(o.nodes));
    for (const GenKey& g : sorted) {
      if (!starts_with(g.key, kIpcachePrefix)) continue;
      json::object v = json::parse(g.value).as_object();
      const NodeView& nv = nodes.at(json::value_to<std::string>(v.at("HostIP")));
      const uint32_t a = ipv4_number(json::value_to<std::string>(v.at("IP")));
      bool inside = false;
      for (auto [lo, hi] : nv.ranges) inside = inside || (a > lo && a < hi);
      CHECK(inside);
      CHECK(g.lease == nv.lease);
      const int64_t id = v.at("ID").as_int64();
      if (id == 4) continue;
      const std::string ids = std::to_string(id);
      REQUIRE(master.count(ids) == 1);
      // the namespace of the endpoint is its identity's
      CHECK(master[ids].find("k8s:io.kubernetes.pod.namespace=" + json::value_to<std::string>(v.at("K8sNamespace")) +
                             ";") != std::string::npos);
      used.emplace(ids, json::value_to<std::string>(v.at("HostIP")));
    }
    CHECK(used == slaves);  // a slave key exactly where a node has an endpoint of the identity
    std::set<std::string> with_slaves;
    for (auto& [id, ip] : slaves) with_slaves.insert(id);
    CHECK(with_slaves.size() == master.size());  // no identity left unused
    for (auto& bip : backends) CHECK(ips.count(bip) == 1);
    CHECK(static_cast<int64_t>(master.size()) == s.master_keys);
    CHECK(static_cast<int64_t>(slaves.size()) == s.slave_keys);
    CHECK(static_cast<int64_t>(ips.size()) == s.ipcache_keys);
    CHECK(s.change.identity.removed >= 1);
    CHECK(s.change.identity.added >= 1);
    CHECK(s.change.pods_relabeled > 0);
    if (std::string(version) == "1.8")
      CHECK(s.change.pods_in_secondary == 0);  // no IPv4SecondaryAllocCIDRs before 1.12
    else
      CHECK(s.change.pods_in_secondary > 0);
    CHECK(s.last_revision > base.summary().last_revision);
  }
}

TEST_CASE("gen: a later state of a full node reuses the addresses of removed pods") {
  GenOptions o;
  o.nodes = 3;
  o.identities = 10;
  o.pods_per_node = 252;  // a /24 with no free address
  o.services = 4;
  o.change_fraction = 0.05;
  Cluster c(o);
  CHECK(c.summary().change.ips_reused > 0);
  CHECK(c.summary().change.ipcache.changed >= c.summary().change.ips_reused);
}
