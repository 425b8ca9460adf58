#include "gen/cluster.h"
#include "gen/codec.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "util/codec.h"

namespace kvsnap::gen {

namespace {

// ---------------------------------------------------------------------------------------------
// Deterministic hashing (splitmix64 finaliser); every "random" choice is a pure function of the
// seed and the entity, so keys can be produced in any order without replaying a generator.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t hsh(uint64_t seed, uint64_t tag, uint64_t a = 0, uint64_t b = 0) {
  return mix(mix(mix(seed ^ (tag * 0x100000001b3ULL)) + a) + b);
}
enum Tag : uint64_t {
  kTagIdPerm = 1, kTagLabels, kTagPorts, kTagRs, kTagPod, kTagSlot, kTagEp,
  kTagBoot1, kTagBoot2, kTagSvcPerm, kTagEtcd1, kTagEtcd2, kTagSa,
  // change_fraction > 0 only
  kTagChgSeed, kTagChgDel, kTagChgPick, kTagChgRelabel, kTagChgAdd, kTagChgNewId, kTagChgNewNode,
  kTagChgNode, kTagChgHb, kTagChgSec,
};

constexpr int kMaxNodes = 250 * 254;        // 192.168.(1..254).(5..254)
constexpr int kIdentityRange = 65536 - 256;  // local part 256..65535
constexpr int kMaxEndpointId = 4095;
constexpr int kMaxServices = 65000;          // ClusterIPs from 172.20.0.0/16
constexpr int kMaxBackendsPerService = 64;

const char* const kNamespaceWords[] = {
    "default",   "payments",  "checkout",   "catalog", "frontend", "search",    "auth",
    "billing",   "shipping",  "inventory",  "analytics", "monitoring", "logging", "ingress",
    "data",      "ml",        "orders",     "users",   "notifications", "reporting"};
const char* const kAppWords[] = {
    "api",     "web",      "worker",   "cache",    "db",       "queue",       "gateway",
    "scheduler", "indexer", "exporter", "proxy",   "backend",  "ui",          "cron",
    "consumer", "producer", "redis",   "postgres", "kafka",    "nginx",       "echo",
    "grpc-server", "metrics", "sync",  "admin"};
const char* const kTiers[] = {"frontend", "backend", "cache"};
// Kubernetes' rand.SafeEncodeString alphabet (pod-template-hash and pod name suffixes).
constexpr std::string_view kK8sAlphabet = "bcdfghjklmnpqrstvwxz2456789";

constexpr size_t countof(const auto& a) { return sizeof(a) / sizeof(a[0]); }


// Seeded bijection of [0, m) (m <= 2^bits, bits even): a 4-round Feistel network on `bits`
// bits with cycle walking, so values look random but never collide.
uint64_t feistel(uint64_t x, int bits, uint64_t seed, uint64_t tag, bool inverse) {
  const int half = bits / 2;
  const uint64_t mask = (uint64_t{1} << half) - 1;
  uint64_t l = x >> half, r = x & mask;
  for (int i = 0; i < 4; ++i) {
    const uint64_t round = inverse ? 3 - i : i;
    if (!inverse) {
      const uint64_t nl = r;
      r = l ^ (hsh(seed, tag, round, r) & mask);
      l = nl;
    } else {
      const uint64_t nr = l;
      l = r ^ (hsh(seed, tag, round, l) & mask);
      r = nr;
    }
  }
  return (l << half) | r;
}
int even_bits_for(uint64_t m) {
  int b = 2;
  while ((uint64_t{1} << b) < m) b += 2;
  return b;
}
uint64_t permute(uint64_t x, uint64_t m, uint64_t seed, uint64_t tag, bool inverse = false) {
  const int bits = even_bits_for(m);
  do x = feistel(x, bits, seed, tag, inverse);
  while (x >= m);
  return x;
}

bool valid_cluster_name(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.front() != '-' && s.back() != '-';
}

// Everything that follows arithmetically from the options.
struct Layout {
  int N = 0, I = 0, P = 0, S = 0, minor = 0;
  bool health = true;
  int E = 0;        // ipcache entries per node
  uint64_t Q = 0;   // total pods = N * P
  int hb = 8;       // host bits of a node's pod CIDR
  uint32_t pod_base = 0;  // network of node 0
  bool cluster_config = false, synced = false;
  int64_t slaves = 0;
  int64_t rev_nodes = 0, rev_masters = 0, rev_slaves = 0, rev_ip = 0, rev_services = 0,
          rev_cluster_config = 0, rev_synced = 0, rev_heartbeat = 0;
  GenSummary sum;

  // Identity k owns the pod positions [lo(k), lo(k+1)); position q = slot * N + node.
  uint64_t lo(int64_t k) const { return (static_cast<uint64_t>(k) * Q + I - 1) / I; }
};

Layout make_layout(const GenOptions& o) {
  Layout L;
  L.minor = parse_cilium_minor(o.cilium_version);
  if (L.minor < 8 || L.minor > 20)
    throw std::invalid_argument("unsupported --cilium-version '" + o.cilium_version +
                                "' (1.8 .. 1.20)");
  if (!valid_cluster_name(o.cluster_name))
    throw std::invalid_argument("invalid cluster name '" + o.cluster_name +
                                "' (lower-case alphanumerics and '-', at most 32)");
  if (o.cluster_id > 255) throw std::invalid_argument("cluster id must be 0..255");
  if (o.nodes < 1 || o.nodes > kMaxNodes)
    throw std::invalid_argument("nodes must be 1.." + std::to_string(kMaxNodes));
  if (o.identities < 1 || o.identities > kIdentityRange)
    throw std::invalid_argument("identities must be 1.." + std::to_string(kIdentityRange) +
                                " (the cluster's identity range)");
  if (o.pods_per_node < 1) throw std::invalid_argument("pods per node must be >= 1");
  if (o.services < 0 || o.services > kMaxServices)
    throw std::invalid_argument("services must be 0.." + std::to_string(kMaxServices));
  if (!(o.change_fraction >= 0 && o.change_fraction <= 0.25))  // also refuses NaN
    throw std::invalid_argument("change fraction must be 0..0.25");
  L.N = o.nodes;
  L.I = o.identities;
  L.P = o.pods_per_node;
  L.S = o.services;
  L.health = L.minor < 17;
  L.E = L.P + (L.health ? 1 : 0);
  if (L.E > kMaxEndpointId - 1)
    throw std::invalid_argument("too many pods per node (endpoint ids are 1..4095)");
  L.Q = static_cast<uint64_t>(L.N) * static_cast<uint64_t>(L.P);
  if (static_cast<uint64_t>(L.I) > L.Q)
    throw std::invalid_argument(
        "more identities than pods: every identity needs at least one pod (raise "
        "--pods-per-node or --nodes)");
  // network + router (.1) + pods + health endpoint + broadcast must fit.
  while ((1u << L.hb) < static_cast<unsigned>(L.P) + 4) ++L.hb;
  const uint64_t span = static_cast<uint64_t>(L.N) << L.hb;
  uint64_t off = static_cast<uint64_t>(o.cluster_id % 16) << 20;
  if (off + span > (1u << 24)) off = 0;
  if (span > (1u << 24)) throw std::invalid_argument("pod CIDRs do not fit 10.0.0.0/8");
  L.pod_base = (10u << 24) + static_cast<uint32_t>(off);
  L.synced = L.minor >= 14;
  L.cluster_config = L.minor >= 15 && o.cluster_id != 0 &&
                     (L.minor >= 18 || o.cluster_name != "default");
  for (int k = 0; k < L.I; ++k)
    L.slaves += static_cast<int64_t>(std::min<uint64_t>(L.N, L.lo(k + 1) - L.lo(k)));

  L.rev_nodes = 2;
  L.rev_masters = L.rev_nodes + L.N;
  L.rev_slaves = L.rev_masters + L.I;
  L.rev_ip = L.rev_slaves + L.slaves;
  L.rev_services = L.rev_ip + static_cast<int64_t>(L.N) * L.E;
  L.rev_cluster_config = L.rev_services + L.S;
  L.rev_synced = L.rev_cluster_config + (L.cluster_config ? 1 : 0);
  L.rev_heartbeat = L.rev_synced + (L.synced ? 1 : 0);

  GenSummary& s = L.sum;
  s.nodes = L.N;
  s.identities = L.I;
  s.pods_per_node = L.P;
  s.services = L.S;
  s.cilium_minor = L.minor;
  s.pod_cidr_prefix_len = 32 - L.hb;
  s.health_in_ipcache = L.health;
  s.master_keys = L.I;
  s.slave_keys = L.slaves;
  s.ipcache_keys = static_cast<int64_t>(L.N) * L.E;
  s.node_keys = L.N;
  s.service_keys = L.S;
  s.other_keys = 1 + (L.cluster_config ? 1 : 0) + (L.synced ? 1 : 0);
  s.total_keys = s.master_keys + s.slave_keys + s.ipcache_keys + s.node_keys + s.service_keys +
                 s.other_keys;
  s.leases = L.N + 1;
  s.first_revision = 2;
  s.last_revision = L.rev_heartbeat;
  s.etcd_cluster_id = hsh(o.seed, kTagEtcd1);  // full uint64 range, like etcd
  s.etcd_member_id = hsh(o.seed, kTagEtcd2);
  s.raft_term = 2;
  return L;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string ipv4_string(uint32_t a) {
  std::string s;
  append_ipv4(s, a);
  return s;
}

void append_ipv4(std::string& out, uint32_t a) {
  append_uint(out, a >> 24);
  out.push_back('.');
  append_uint(out, (a >> 16) & 255);
  out.push_back('.');
  append_uint(out, (a >> 8) & 255);
  out.push_back('.');
  append_uint(out, a & 255);
}

bool parse_ipv4(std::string_view s, uint32_t& addr) {
  uint32_t a = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    unsigned v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (v > 255 || i - start > 2) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;
    a = (a << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  if (i != s.size()) return false;
  addr = a;
  return true;
}

int parse_cilium_minor(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  if (v.size() < 3 || v[0] != '1' || v[1] != '.') return -1;
  v.remove_prefix(2);
  int minor = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), minor);
  if (r.ec != std::errc() || r.ptr == v.data()) return -1;
  if (r.ptr != v.data() + v.size() && *r.ptr != '.' && *r.ptr != '-') return -1;
  return minor;
}

GenSummary summarize(const GenOptions& opts) {
  if (opts.change_fraction > 0) return Cluster(opts).summary();
  return make_layout(opts).sum;
}

KeyChanges ChangeSummary::total() const {
  KeyChanges t;
  for (const KeyChanges* c : {&node, &identity, &identity_ref, &ipcache, &service, &key}) {
    t.added += c->added;
    t.removed += c->removed;
    t.changed += c->changed;
  }
  return t;
}

GenOptions options_for_keys(int64_t keys, const GenOptions& base) {
  if (keys < 1) throw std::invalid_argument("--keys must be >= 1");
  GenOptions o = base;
  auto clampi = [](double v, int lo, int hi) {
    return static_cast<int>(std::clamp<double>(std::llround(v), lo, hi));
  };
  o.nodes = clampi(static_cast<double>(keys) / 500.0, 1, kMaxNodes);
  o.identities = clampi(static_cast<double>(keys) / 50.0, 1, kIdentityRange);
  o.services = clampi(static_cast<double>(keys) / 200.0, 0, kMaxServices);
  // total(P) is increasing in P (options that cannot be built count as infinite).
  auto total = [&](int p) -> int64_t {
    GenOptions t = o;
    t.pods_per_node = p;
    try {
      return make_layout(t).sum.total_keys;
    } catch (const std::invalid_argument&) {
      return INT64_MAX;
    }
  };
  // Prefer pod counts that fit a /24 per node (252 pods + health); add nodes until they do.
  constexpr int kFitsSlash24 = 252;
  const int max_p = kMaxEndpointId - 2;
  for (;;) {
    const int lo = std::max(1, (o.identities + o.nodes - 1) / o.nodes);
    const bool can_grow = o.nodes < kMaxNodes;
    const int cap = can_grow ? kFitsSlash24 : max_p;
    if (lo > cap || total(cap) < keys) {
      if (can_grow) {
        o.nodes = std::min(kMaxNodes, o.nodes + std::max(1, o.nodes / 10));
        continue;
      }
      if (lo > cap) throw std::invalid_argument("--keys too large for one cluster");
      o.pods_per_node = cap;
      return o;
    }
    if (total(lo) >= keys) {
      o.pods_per_node = lo;
      return o;
    }
    int a = lo, b = cap;  // total(a) < keys <= total(b)
    while (b - a > 1) {
      const int mid = a + (b - a) / 2;
      (total(mid) >= keys ? b : a) = mid;
    }
    o.pods_per_node = (total(b) - keys <= keys - total(a)) ? b : a;
    return o;
  }
}

// ---------------------------------------------------------------------------------------------

struct Cluster::Impl {
  Layout L;
  const GenOptions* o = nullptr;

  std::vector<int> octet_order;  // 0..255 sorted by decimal string

  // nodes
  std::vector<std::string> node_names;
  std::vector<int> node_by_name;  // node indices sorted by name
  std::vector<int> node_ip_rank;  // rank of node's InternalIP string

  // identities
  std::vector<uint32_t> ids;
  std::vector<std::string> labels;      // canonical label strings
  std::vector<std::string> apps;
  std::vector<int> ns_of;               // namespace index
  std::vector<std::string> namespaces;
  std::vector<std::string> sa;          // service account
  std::vector<uint8_t> port_kind;       // 0 = one unnamed port, 1 = http, 2 = http+metrics
  std::vector<std::string> rs_hash;     // ReplicaSet pod-template-hash
  std::vector<int> id_by_idstr;         // identities sorted by decimal ID string
  std::vector<int> id_by_labels;        // identities sorted by label string + "/"
  std::vector<int64_t> slave_off;       // prefix sums of slave counts

  // services
  std::vector<int> svc_identity;
  std::vector<std::string> svc_names;
  std::vector<int> svc_sorted;          // by "<ns>/<name>"

  int64_t lease_of_node(int n) const { return kLeaseBase + n; }
  int64_t operator_lease() const { return kLeaseBase + L.N; }

  uint32_t node_ip(int n) const {
    return (192u << 24) | (168u << 16) | (static_cast<uint32_t>(1 + n / 250) << 8) |
           static_cast<uint32_t>(5 + n % 250);
  }
  uint32_t node_net(int n) const { return L.pod_base + (static_cast<uint32_t>(n) << L.hb); }
  // Endpoint slots of node n: s < P is pod j = s, s == P the health endpoint (< 1.17 only).
  // Slot s holds address node_net + 2 + entry, entry = a per-node shuffle of the slots (IPAM
  // hands out addresses in no particular order).
  int slot_to_entry(int n, int s) const {
    return static_cast<int>(permute(s, L.E, o->seed ^ mix(n), kTagSlot));
  }
  int entry_to_slot(int n, int u) const {
    return static_cast<int>(permute(u, L.E, o->seed ^ mix(n), kTagSlot, true));
  }
  // Entry u of node n: its pod CIDR from .2 on; u >= cap_p: the secondary CIDR (later state).
  uint32_t entry_ip(int n, int u) const {
    if (chg && u >= cap_p) return sec_net + 1 + static_cast<uint32_t>(u - cap_p);
    return node_net(n) + 2 + static_cast<uint32_t>(u);
  }
  // >= 1.17 the health endpoint is not in the ipcache; it sits right after the pods.
  uint32_t health_ip(int n) const {
    return L.health ? entry_ip(n, slot_to_entry(n, L.P))
                    : node_net(n) + 2 + static_cast<uint32_t>(L.P);
  }
  uint32_t pod_ip(int n, int j) const { return entry_ip(n, slot_to_entry(n, j)); }
  int endpoint_id(int n, int u) const {
    // per node a different bijection of 0..4094 -> endpoint ids 1..4095
    return 1 + static_cast<int>(permute(u, kMaxEndpointId, o->seed ^ mix(n), kTagEp));
  }
  int identity_of(uint64_t q) const {
    return static_cast<int>(q * static_cast<uint64_t>(L.I) / L.Q);
  }

  void build() {
    chg = o->change_fraction > 0;
    octet_order.resize(256);
    std::iota(octet_order.begin(), octet_order.end(), 0);
    std::sort(octet_order.begin(), octet_order.end(),
              [](int a, int b) { return std::to_string(a) < std::to_string(b); });

    const std::string node_prefix =
        o->cluster_name == "default" ? std::string("worker-") : o->cluster_name + "-worker-";
    node_names.resize(L.N);
    for (int n = 0; n < L.N; ++n) node_names[n] = node_prefix + std::to_string(n + 1);
    node_by_name.resize(L.N);
    std::iota(node_by_name.begin(), node_by_name.end(), 0);
    std::sort(node_by_name.begin(), node_by_name.end(),
              [&](int a, int b) { return node_names[a] < node_names[b]; });
    {
      std::vector<std::string> ips(L.N);
      for (int n = 0; n < L.N; ++n) ips[n] = ipv4_string(node_ip(n));
      std::vector<int> order(L.N);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int a, int b) { return ips[a] < ips[b]; });
      node_ip_rank.resize(L.N);
      for (int r = 0; r < L.N; ++r) node_ip_rank[order[r]] = r;
    }

    // Identities: IDs are a seeded permutation of the cluster's range (distinct by
    // construction), labels a function of the identity index.
    const uint32_t id_base = o->cluster_id * 65536u + 256u;
    NS = std::max(1, (L.I + 11) / 12);
    namespaces.resize(NS);
    for (int i = 0; i < NS; ++i) {
      const int w = static_cast<int>(countof(kNamespaceWords));
      namespaces[i] = kNamespaceWords[i % w];
      if (i >= w) namespaces[i] += "-" + std::to_string(i / w);
    }
    ids.resize(L.I);
    labels.resize(L.I);
    apps.resize(L.I);
    ns_of.resize(L.I);
    sa.resize(L.I);
    port_kind.resize(L.I);
    rs_hash.resize(L.I);
    for (int k = 0; k < L.I; ++k) {
      ids[k] = id_base + static_cast<uint32_t>(permute(k, kIdentityRange, o->seed, kTagIdPerm));
      const int ns = k % NS, r = k / NS;
      const int aw = static_cast<int>(countof(kAppWords));
      ns_of[k] = ns;
      apps[k] = kAppWords[r % aw];
      if (r >= aw) apps[k] += "-" + std::to_string(r / aw);
      sa[k] = (hsh(o->seed, kTagSa, k) % 3 == 0) ? "default" : apps[k];
      const uint64_t hp = hsh(o->seed, kTagPorts, k) % 10;
      port_kind[k] = hp == 0 ? 0 : (hp <= 2 ? 2 : 1);
      rs_hash[k] = rs_hash_of(hsh(o->seed, kTagRs, k));
      labels[k] = make_labels(apps[k], namespaces[ns], sa[k], hsh(o->seed, kTagLabels, k));
    }
    T = L.I;
    if (chg) add_new_identities(id_base);
    id_by_idstr.resize(T);
    std::iota(id_by_idstr.begin(), id_by_idstr.end(), 0);
    std::sort(id_by_idstr.begin(), id_by_idstr.end(), [&](int x, int y) {
      char bx[16], by[16];
      auto ex = std::to_chars(bx, bx + 16, ids[x]).ptr;
      auto ey = std::to_chars(by, by + 16, ids[y]).ptr;
      return std::string_view(bx, ex - bx) < std::string_view(by, ey - by);
    });
    // value/<labels>/<ip>: order by labels + "/" (a label string that is a prefix of another
    // sorts before it in the full key too, because '/' < any label source character).
    id_by_labels.resize(T);
    std::iota(id_by_labels.begin(), id_by_labels.end(), 0);
    std::sort(id_by_labels.begin(), id_by_labels.end(), [&](int x, int y) {
      const std::string& lx = labels[x];
      const std::string& ly = labels[y];
      const size_t m = std::min(lx.size(), ly.size());
      int c = lx.compare(0, m, ly, 0, m);
      if (c != 0) return c < 0;
      if (lx.size() == ly.size()) return false;
      // the shorter one continues with '/', the longer with its next byte
      return lx.size() < ly.size() ? '/' < ly[m] : lx[m] < '/';
    });
    slave_off.resize(L.I + 1);
    slave_off[0] = 0;
    for (int k = 0; k < L.I; ++k)
      slave_off[k + 1] =
          slave_off[k] + static_cast<int64_t>(std::min<uint64_t>(L.N, L.lo(k + 1) - L.lo(k)));

    // Services: spread over identities; more services than identities adds "-p<d>" variants.
    svc_identity.resize(L.S);
    svc_names.resize(L.S);
    for (int s = 0; s < L.S; ++s) {
      int k, d;
      if (L.S <= L.I) {
        k = static_cast<int>(static_cast<int64_t>(s) * L.I / L.S);
        d = 0;
      } else {
        k = s % L.I;
        d = s / L.I;
      }
      svc_identity[s] = k;
      svc_names[s] = apps[k];
      if (d > 0) svc_names[s] += "-p" + std::to_string(d);
    }
    svc_sorted.resize(L.S);
    std::iota(svc_sorted.begin(), svc_sorted.end(), 0);
    std::sort(svc_sorted.begin(), svc_sorted.end(), [&](int x, int y) {
      std::string kx = namespaces[ns_of[svc_identity[x]]] + "/" + svc_names[x];
      std::string ky = namespaces[ns_of[svc_identity[y]]] + "/" + svc_names[y];
      return kx < ky;
    });
    if (chg) build_changes();
  }

  // Identity labels as Cilium's kvstore key holds them (LabelArray.Sort(): by key, byte-wise).
  std::string make_labels(const std::string& app, const std::string& nsn, const std::string& sa_name,
                          uint64_t h) const {
    // One list for the labels every identity has (emplace_back one by one made GCC 12 -O3 warn a false
    // -Warray-bounds inside the vector's regrowth).
    std::vector<std::pair<std::string, std::string>> lab = {{"app", app},
                                                            {"io.cilium.k8s.policy.cluster", o->cluster_name},
                                                            {"io.cilium.k8s.policy.serviceaccount", sa_name},
                                                            {"io.kubernetes.pod.namespace", nsn}};
    if (L.minor >= 11)  // Kubernetes >= 1.21 adds kubernetes.io/metadata.name to namespaces
      lab.emplace_back("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", nsn);
    if (h % 3 == 0) lab.emplace_back("app.kubernetes.io/part-of", nsn);
    if ((h >> 8) % 4 == 0) lab.emplace_back("version", "v" + std::to_string(1 + (h >> 16) % 3));
    if ((h >> 24) % 5 == 0) lab.emplace_back("tier", kTiers[(h >> 32) % 3]);
    std::sort(lab.begin(), lab.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::string s;
    for (const auto& [key, val] : lab) {
      s += "k8s:";
      s += key;
      s += '=';
      s += val;
      s += ';';
    }
    return s;
  }
  static std::string rs_hash_of(uint64_t hr) {
    std::string s;
    for (int c = 0; c < 10; ++c) {
      s.push_back(kK8sAlphabet[hr % kK8sAlphabet.size()]);
      hr /= kK8sAlphabet.size();
    }
    return s;
  }

  // ----- change_fraction > 0: a later state ------------------------------------------------

  enum EvKind : uint8_t { kRemoved, kRelabeled, kAdded, kReplaced };
  // One endpoint address of a node whose ipcache key is not the base state's.
  struct PodEv {
    int32_t n = 0, u = 0;    // node, entry (address offset; u >= cap_p: its secondary CIDR)
    EvKind kind = kRemoved;  // kReplaced: the base pod went, a new pod got its address
    int32_t slot = -1;       // base slot of the pod that was there (not kAdded)
    int32_t k_old = -1;      // that pod's identity
    int32_t k_new = -1;      // the identity after (kRelabeled, kAdded, kReplaced)
    int64_t name_idx = 0;    // the new pod's name index within k_new (kAdded, kReplaced)
    int64_t rev = 0;         // revision of the put (kRemoved: of the delete)
  };
  struct SlaveEv {
    int32_t k = 0, n = 0;
    int64_t rev = 0;
    bool operator<(const SlaveEv& x) const { return k != x.k ? k < x.k : n < x.n; }
  };

  bool chg = false;                // change_fraction > 0
  uint64_t cseed = 0;              // seed of every change choice
  int NS = 1;                      // namespaces
  int T = 0;                       // identities including the new ones (indices I .. T-1)
  int cap_p = 0;                   // entries 0 .. cap_p-1 of a pod CIDR are pod addresses
  std::vector<char> deleted;       // base identity deleted
  std::vector<PodEv> ev;           // by node, then entry
  std::vector<int64_t> ev_off;     // node n: ev[ev_off[n] .. ev_off[n + 1])
  std::vector<SlaveEv> slave_add, slave_rm;      // by (identity, node)
  std::vector<std::tuple<int, int, int>> extra;  // (identity, node, entry): pods given an identity
  std::vector<uint8_t> svc_state;  // 0 same, 1 backends changed, 2 removed
  std::vector<int64_t> svc_rev;
  std::vector<int64_t> new_master_rev;  // of identity I + j
  int node_lab = -1, node_sec = -1;     // node with a new label, node with a secondary pod CIDR
  int64_t node_lab_rev = 0, node_sec_rev = 0;
  uint32_t sec_net = 0;
  std::string zone;                     // the new label's value
  int hb_minutes = 0;
  int64_t hb_rev = 0;

  bool node_changed(int n) const { return chg && (n == node_lab || n == node_sec); }
  int64_t node_rev(int n) const { return n == node_lab ? node_lab_rev : node_sec_rev; }

  const PodEv* find_ev(int n, int u) const {
    const auto b = ev.begin() + ev_off[n], e = ev.begin() + ev_off[n + 1];
    const auto it = std::lower_bound(b, e, u, [](const PodEv& x, int v) { return x.u < v; });
    return (it != e && it->u == u) ? &*it : nullptr;
  }
  static bool has_slave(const std::vector<SlaveEv>& v, int k, int n) {
    return std::binary_search(v.begin(), v.end(), SlaveEv{k, n, 0});
  }
  // Base pods of identity k on node n (its positions q with q % N == n).
  int64_t base_count(int k, int n) const {
    if (k >= L.I) return 0;
    const uint64_t lo = L.lo(k), cnt = L.lo(k + 1) - lo;
    const uint64_t t0 = (static_cast<uint64_t>(n) + L.N - lo % L.N) % L.N;
    return t0 >= cnt ? 0 : 1 + static_cast<int64_t>((cnt - 1 - t0) / L.N);
  }
  // Another live identity of k's namespace (what a relabelled pod gets), or -1.
  int relabel_target(int k, uint64_t h) const {
    const int ns = k % NS, r = k / NS;
    const int c = (L.I - 1 - ns) / NS + 1;
    for (int t = 0; t + 1 < c; ++t) {
      const int r2 = static_cast<int>((r + 1 + (h + t) % (c - 1)) % c);
      const int k2 = ns + r2 * NS;
      if (!deleted[k2]) return k2;
    }
    return -1;
  }
  // Budget: about F * keys keys differ. Shares of it (in keys) tuned so that the total lands
  // near F * keys at the --keys sizes (each removed pod also takes its slave key, each added pod
  // adds one, a fourth of the touched identities have a service whose backends change).
  double budget() const { return o->change_fraction * static_cast<double>(L.sum.total_keys); }
  int new_identity_pods() const {
    const double avg = static_cast<double>(L.Q) / L.I;
    return static_cast<int>(std::clamp<double>(std::llround(avg), 1, 30));
  }

  // New identities (a new deployment: "<app>-canary" in the namespace of a base identity, so
  // their label sets are new): appended at indices I .. T-1, before the sort orders are built.
  void add_new_identities(uint32_t id_base) {
    cseed = hsh(o->seed, kTagChgSeed, o->change_seed);
    const int m = new_identity_pods();
    const int room = std::min(kIdentityRange - L.I, L.I);
    // At least one when the budget affords one.
    const double cost = 1 + 2 * m;
    const int J = static_cast<int>(std::clamp<double>(std::llround(0.08 * budget() / cost),
                                                      budget() >= cost ? std::min(1, room) : 0, room));
    T = L.I + J;
    for (auto* v : {&labels, &apps, &sa, &rs_hash}) v->resize(T);
    ids.resize(T);
    ns_of.resize(T);
    port_kind.resize(T);
    for (int j = 0; j < J; ++j) {
      const int k = L.I + j;
      const int t = static_cast<int>(permute(j, L.I, cseed, kTagChgNewId));
      ids[k] = id_base + static_cast<uint32_t>(permute(k, kIdentityRange, o->seed, kTagIdPerm));
      ns_of[k] = ns_of[t];
      apps[k] = apps[t] + "-canary";
      const uint64_t h = hsh(cseed, kTagChgNewId, j);
      sa[k] = h % 3 == 0 ? "default" : apps[k];
      const uint64_t hp = (h >> 8) % 10;
      port_kind[k] = hp == 0 ? 0 : (hp <= 2 ? 2 : 1);
      rs_hash[k] = rs_hash_of(hsh(cseed, kTagChgNewId, j, 1));
      labels[k] = make_labels(apps[k], namespaces[ns_of[k]], sa[k], hsh(cseed, kTagChgNewId, j, 2));
    }
  }

  void build_changes() {
    const double u = budget();
    const uint64_t N = static_cast<uint64_t>(L.N);
    cap_p = (1 << L.hb) - 3;  // network, router (.1) and broadcast are not pod addresses

    // Nodes: one gets a label; another (>= 1.12, when a block after every pod CIDR fits 10/8
    // and the endpoint ids) a secondary pod CIDR, as cluster-pool IPAM gives a full node.
    node_lab = static_cast<int>(hsh(cseed, kTagChgNode, 1) % N);
    zone = std::string("zone-") + static_cast<char>('a' + hsh(cseed, kTagChgNode, 2) % 3);
    {
      const uint64_t first = L.pod_base - (10u << 24), span = N << L.hb, block = 1u << L.hb;
      if (L.minor >= 12 && first + span + block <= (1u << 24) &&
          cap_p + block - 2 <= static_cast<uint64_t>(kMaxEndpointId)) {
        node_sec = L.N == 1 ? node_lab
                            : static_cast<int>((node_lab + 1 + hsh(cseed, kTagChgNode, 3) % (N - 1)) % N);
        sec_net = L.pod_base + static_cast<uint32_t>(span);
      }
    }

    // Identities deleted, with every pod (and so every slave key) and their services.
    deleted.assign(L.I, 0);
    if (L.I >= 4) {
      const double cost = 2.0 * static_cast<double>(L.Q) / L.I + 1 + static_cast<double>(L.S) / L.I;
      const int D = static_cast<int>(std::clamp<double>(std::llround(0.07 * u / cost), u >= cost ? 1 : 0, L.I / 4));
      for (int i = 0; i < D; ++i) deleted[permute(i, L.I, cseed, kTagChgDel)] = 1;
    }
    std::vector<std::vector<PodEv>> per(L.N);
    auto base_ev = [&](uint64_t q, EvKind kind, int k_new) {
      PodEv e;
      e.n = static_cast<int>(q % N);
      e.slot = static_cast<int>(q / N);
      e.u = slot_to_entry(e.n, e.slot);
      e.kind = kind;
      e.k_old = identity_of(q);
      e.k_new = k_new;
      per[e.n].push_back(e);
    };
    for (int k = 0; k < L.I; ++k)
      if (deleted[k])
        for (uint64_t q = L.lo(k); q < L.lo(k + 1); ++q) base_ev(q, kRemoved, -1);

    // Pods gone and pods relabelled (to another identity of their namespace); every identity
    // that is not deleted keeps its first pod, so none goes unused.
    const int64_t n_rm = std::llround(0.135 * u), n_rl = std::llround(0.09 * u);
    int64_t rm = 0, rl = 0;
    for (uint64_t i = 0; i < L.Q && (rm < n_rm || rl < n_rl); ++i) {
      const uint64_t q = permute(i, L.Q, cseed, kTagChgPick);
      const int k = identity_of(q);
      if (deleted[k] || q == L.lo(k)) continue;
      if (rm < n_rm) {
        base_ev(q, kRemoved, -1);
        ++rm;
        continue;
      }
      const int k2 = relabel_target(k, hsh(cseed, kTagChgRelabel, q));
      if (k2 < 0) continue;
      base_ev(q, kRelabeled, k2);
      ++rl;
    }

    // New pods: the next free address of the node (IPAM hands out the unused ones first), else
    // the address of a pod removed from it (the ipcache key then changes), else the next node.
    std::vector<int> next_free(L.N, L.P + 1);  // entry P is the health IP (also from 1.17 on)
    std::vector<int64_t> extra_count(T, 0);
    int sec_used = 0;
    auto add_pod = [&](int n0, int k, bool secondary) {
      for (int t = 0; t < L.N; ++t) {
        const int n = (n0 + t) % L.N;
        PodEv* e = nullptr;
        if (secondary) {
          if (sec_used >= (1 << L.hb) - 2) return false;
          per[n].push_back(PodEv{n, cap_p + sec_used++, kAdded});
          e = &per[n].back();
        } else if (next_free[n] < cap_p) {
          per[n].push_back(PodEv{n, next_free[n]++, kAdded});
          e = &per[n].back();
        } else {
          for (auto& x : per[n])
            if (x.kind == kRemoved) {
              x.kind = kReplaced;
              e = &x;
              break;
            }
          if (!e) continue;
        }
        e->k_new = k;
        e->name_idx = (k < L.I ? static_cast<int64_t>(L.lo(k + 1) - L.lo(k)) : 0) + extra_count[k]++;
        return true;
      }
      return false;
    };
    auto live_identity = [&](uint64_t h) {
      int k = static_cast<int>(h % L.I);
      while (deleted[k]) k = (k + 1) % L.I;
      return k;
    };
    const int m = new_identity_pods();
    for (int k = L.I; k < T; ++k)
      for (int t = 0; t < m; ++t)
        add_pod(static_cast<int>(permute(t % L.N, L.N, cseed ^ mix(k), kTagChgNewNode)), k, false);
    const int64_t n_add = std::llround(0.11 * u);
    for (int64_t i = 0; i < n_add; ++i) {
      const uint64_t h = hsh(cseed, kTagChgAdd, i);
      if (!add_pod(static_cast<int>((h >> 32) % N), live_identity(h), false)) break;
    }
    if (node_sec >= 0) {
      const int cnt = 3 + static_cast<int>(hsh(cseed, kTagChgSec) % 3);
      for (int i = 0; i < cnt; ++i) add_pod(node_sec, live_identity(hsh(cseed, kTagChgSec, i + 1)), true);
    }

    ev_off.assign(L.N + 1, 0);
    for (int n = 0; n < L.N; ++n) {
      std::sort(per[n].begin(), per[n].end(), [](const PodEv& a, const PodEv& b) { return a.u < b.u; });
      ev_off[n + 1] = ev_off[n] + static_cast<int64_t>(per[n].size());
    }
    ev.reserve(ev_off[L.N]);
    for (auto& v : per) {
      ev.insert(ev.end(), v.begin(), v.end());
      std::vector<PodEv>().swap(v);
    }

    // Slave keys: a node's first pod of an identity adds one, its last one removes it.
    std::map<std::pair<int, int>, int64_t> delta;
    std::vector<char> touched(T, 0);
    for (const PodEv& e : ev) {
      if (e.kind != kAdded) {
        --delta[{e.k_old, e.n}];
        touched[e.k_old] = 1;
      }
      if (e.kind != kRemoved) {
        ++delta[{e.k_new, e.n}];
        touched[e.k_new] = 1;
        extra.emplace_back(e.k_new, e.n, e.u);
      }
    }
    std::sort(extra.begin(), extra.end());
    for (const auto& [kn, d] : delta) {
      const int64_t b = base_count(kn.first, kn.second);
      if (b > 0 && b + d == 0) slave_rm.push_back({kn.first, kn.second, 0});
      if (b == 0 && b + d > 0) slave_add.push_back({kn.first, kn.second, 0});
    }

    // Services: gone with their identity, or their backends changed.
    svc_state.assign(L.S, 0);
    svc_rev.assign(L.S, 0);
    std::vector<std::string> before, after;
    for (int s = 0; s < L.S; ++s) {
      const int k = svc_identity[s];
      if (deleted[k]) {
        svc_state[s] = 2;
      } else if (touched[k]) {
        backend_ips(k, false, before);
        backend_ips(k, true, after);
        if (before != after) svc_state[s] = 1;
      }
    }

    // Revisions, in the order the writes happen after the base state: nodes, new identities,
    // their slave keys, the ipcache, slave keys released, identities released, services, and
    // the heartbeat last. A delete uses up a revision like a put.
    int64_t rev = L.rev_heartbeat + 1;
    node_lab_rev = rev++;
    node_sec_rev = node_sec >= 0 && node_sec != node_lab ? rev++ : node_lab_rev;
    new_master_rev.resize(T - L.I);
    for (auto& r : new_master_rev) r = rev++;
    for (auto& x : slave_add) x.rev = rev++;
    for (auto& e : ev) {
      if (e.kind == kReplaced) ++rev;  // the delete of the old pod's entry
      e.rev = rev++;
    }
    for (auto& x : slave_rm) x.rev = rev++;
    for (int k = 0; k < L.I; ++k) rev += deleted[k];
    for (int s = 0; s < L.S; ++s)
      if (svc_state[s]) svc_rev[s] = rev++;
    hb_minutes = 20 + static_cast<int>(hsh(cseed, kTagChgHb) % 40);
    hb_rev = rev;

    // The summary describes the later state; change says how it differs.
    GenSummary& sm = L.sum;
    ChangeSummary& c = sm.change;
    c.base_keys = sm.total_keys;
    c.base_last_revision = sm.last_revision;
    c.node.changed = node_sec >= 0 && node_sec != node_lab ? 2 : 1;
    c.identity.added = T - L.I;
    for (int k = 0; k < L.I; ++k) c.identity.removed += deleted[k];
    c.identity_ref.added = static_cast<int64_t>(slave_add.size());
    c.identity_ref.removed = static_cast<int64_t>(slave_rm.size());
    for (const PodEv& e : ev) {
      switch (e.kind) {
        case kRemoved: ++c.ipcache.removed; ++c.pods_removed; break;
        case kRelabeled: ++c.ipcache.changed; ++c.pods_relabeled; break;
        case kAdded: ++c.ipcache.added; ++c.pods_added; break;
        case kReplaced: ++c.ipcache.changed; ++c.pods_removed; ++c.pods_added; ++c.ips_reused; break;
      }
      if (e.u >= cap_p) ++c.pods_in_secondary;
    }
    for (uint8_t st : svc_state) {
      if (st == 1) ++c.service.changed, ++c.services_backends_changed;
      if (st == 2) ++c.service.removed, ++c.services_removed;
    }
    c.key.changed = 1;  // the heartbeat
    c.identities_deleted = c.identity.removed;
    c.identities_allocated = c.identity.added;
    c.nodes_changed = c.node.changed;
    c.heartbeat_minutes = hb_minutes;
    sm.changed = true;
    sm.master_keys += c.identity.added - c.identity.removed;
    sm.slave_keys += c.identity_ref.added - c.identity_ref.removed;
    sm.ipcache_keys += c.ipcache.added - c.ipcache.removed;
    sm.service_keys -= c.service.removed;
    sm.total_keys = sm.master_keys + sm.slave_keys + sm.ipcache_keys + sm.node_keys + sm.service_keys +
                    sm.other_keys;
    sm.last_revision = hb_rev;
  }

  // Backend IPs of identity k's service, sorted as strings: its first pods (at most
  // kMaxBackendsPerService); later: those still there with that identity, then the pods that
  // got it, up to the same limit.
  void backend_ips(int k, bool later, std::vector<std::string>& out) const {
    out.clear();
    if (k < L.I) {
      const uint64_t lo = L.lo(k), hi = std::min<uint64_t>(L.lo(k + 1), lo + kMaxBackendsPerService);
      for (uint64_t q = lo; q < hi; ++q) {
        const int n = static_cast<int>(q % L.N), j = static_cast<int>(q / L.N);
        const int u = slot_to_entry(n, j);
        if (later && find_ev(n, u)) continue;
        out.push_back(ipv4_string(entry_ip(n, u)));
      }
    }
    if (later) {
      auto it = std::lower_bound(extra.begin(), extra.end(), std::make_tuple(k, -1, -1));
      for (; it != extra.end() && std::get<0>(*it) == k &&
             out.size() < static_cast<size_t>(kMaxBackendsPerService);
           ++it)
        out.push_back(ipv4_string(entry_ip(std::get<1>(*it), std::get<2>(*it))));
    }
    std::sort(out.begin(), out.end());
  }

  // ----- values -------------------------------------------------------------------------

  void append_pod_name(std::string& v, int k, uint64_t idx) const {
    v += apps[k];
    v += '-';
    v += rs_hash[k];
    v += '-';
    // bijective in idx (27^5 = 3^15 and 7919 is not a multiple of 3)
    uint64_t x = (idx * 7919 + hsh(o->seed, kTagPod, k)) % 14348907ULL;
    char sfx[5];
    for (int c = 4; c >= 0; --c) {
      sfx[c] = kK8sAlphabet[x % 27];
      x /= 27;
    }
    v.append(sfx, 5);
  }

  // later: the node's value in the later state (a new label, a secondary pod CIDR).
  void node_value(std::string& v, int n, bool later = false) const {
    const int m = L.minor;
    const std::string& name = node_names[n];
    v.clear();
    v += "{\"Name\":\"";
    v += name;
    v += "\",\"Cluster\":\"";
    v += o->cluster_name;
    v += "\",\"IPAddresses\":[{\"Type\":\"InternalIP\",\"IP\":\"";
    append_ipv4(v, node_ip(n));
    v += "\"},{\"Type\":\"CiliumInternalIP\",\"IP\":\"";
    append_ipv4(v, node_net(n) + 1);
    v += "\"}],\"IPv4AllocCIDR\":{\"IP\":\"";
    append_ipv4(v, node_net(n));
    v += "\",\"Mask\":\"";
    const uint32_t mask = ~((1u << L.hb) - 1);
    const unsigned char mb[4] = {static_cast<unsigned char>(mask >> 24),
                                 static_cast<unsigned char>(mask >> 16),
                                 static_cast<unsigned char>(mask >> 8),
                                 static_cast<unsigned char>(mask)};
    v += kvsnap::base64_encode(std::string_view(reinterpret_cast<const char*>(mb), 4));
    v += "\"},";
    if (m >= 12 && later && n == node_sec) {
      v += "\"IPv4SecondaryAllocCIDRs\":[{\"IP\":\"";
      append_ipv4(v, sec_net);
      v += "\",\"Mask\":\"";
      v += kvsnap::base64_encode(std::string_view(reinterpret_cast<const char*>(mb), 4));
      v += "\"}],";
    } else if (m >= 12) {
      v += "\"IPv4SecondaryAllocCIDRs\":null,";
    }
    v += "\"IPv6AllocCIDR\":null,";
    if (m >= 12) v += "\"IPv6SecondaryAllocCIDRs\":null,";
    v += "\"IPv4HealthIP\":\"";
    append_ipv4(v, health_ip(n));
    v += "\",\"IPv6HealthIP\":\"\",";
    if (m >= 12) v += "\"IPv4IngressIP\":\"\",\"IPv6IngressIP\":\"\",";
    v += "\"ClusterID\":";
    append_uint(v, o->cluster_id);
    v += ",\"Source\":\"local\",\"EncryptionKey\":0,\"Labels\":{\"kubernetes.io/arch\":\"amd64\","
         "\"kubernetes.io/hostname\":\"";
    v += name;
    v += "\",\"kubernetes.io/os\":\"linux\"";
    if (later && n == node_lab) {
      v += ",\"topology.kubernetes.io/zone\":\"";
      v += zone;
      v += '"';
    }
    v += '}';
    if (m >= 13) v += ",\"Annotations\":null";
    if (m >= 9 && m <= 19) v += ",\"NodeIdentity\":1";
    if (m >= 10) v += ",\"WireguardPubKey\":\"\"";
    if (m >= 14) {
      v += ",\"BootID\":\"";
      const uint64_t h1 = hsh(o->seed, kTagBoot1, n), h2 = hsh(o->seed, kTagBoot2, n);
      char u[37];
      static const char* hex = "0123456789abcdef";
      int p = 0;
      for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) u[p++] = '-';
        uint64_t src = i < 16 ? h1 : h2;
        int nib = static_cast<int>((src >> (4 * (i % 16))) & 15);
        if (i == 12) nib = 4;                  // version 4
        if (i == 16) nib = 8 | (nib & 3);      // RFC 4122 variant
        u[p++] = hex[nib];
      }
      v.append(u, 36);
      v += '"';
    }
    v += '}';
  }

  void named_ports_json(std::string& v, int k) const {
    if (port_kind[k] == 0) return;  // omitempty
    v += ",\"NamedPorts\":[{\"Name\":\"http\",\"Port\":8080,\"Protocol\":\"TCP\"}";
    if (port_kind[k] == 2) v += ",{\"Name\":\"metrics\",\"Port\":9090,\"Protocol\":\"TCP\"}";
    v += ']';
  }

  // ipcache value of endpoint slot s of node n (entry u = its address offset).
  void ipcache_value(std::string& v, int n, int s, int u) const {
    v.clear();
    v += "{\"IP\":\"";
    append_ipv4(v, entry_ip(n, u));
    v += "\",\"Mask\":null,\"HostIP\":\"";
    append_ipv4(v, node_ip(n));
    v += "\",\"ID\":";
    if (s == L.P) {  // cilium-health
      v += "4,\"Key\":0,\"Metadata\":\"cilium-global:default:";
      v += node_names[n];
      v += ':';
      append_int(v, endpoint_id(n, s));
      v += "\"}";
      return;
    }
    const uint64_t q = static_cast<uint64_t>(s) * L.N + n;
    const int k = identity_of(q);
    pod_fields(v, n, s, ids[k], k, q - L.lo(k));
  }
  // The rest of a pod's ipcache value from "ID": identity `id`; pod_k's namespace, pod name
  // (index name_idx), service account and named ports (a relabelled pod keeps its own).
  void pod_fields(std::string& v, int n, int ep, uint32_t id, int pod_k, uint64_t name_idx) const {
    append_uint(v, id);
    v += ",\"Key\":0,\"Metadata\":\"cilium-global:default:";
    v += node_names[n];
    v += ':';
    append_int(v, endpoint_id(n, ep));
    v += "\",\"K8sNamespace\":\"";
    v += namespaces[ns_of[pod_k]];
    v += "\",\"K8sPodName\":\"";
    append_pod_name(v, pod_k, name_idx);
    v += '"';
    if (L.minor >= 19) {
      v += ",\"K8sServiceAccount\":\"";
      v += sa[pod_k];
      v += '"';
    }
    named_ports_json(v, pod_k);
    v += '}';
  }
  // ipcache value of a changed address (not kRemoved).
  void event_value(std::string& v, const PodEv& e) const {
    v.clear();
    v += "{\"IP\":\"";
    append_ipv4(v, entry_ip(e.n, e.u));
    v += "\",\"Mask\":null,\"HostIP\":\"";
    append_ipv4(v, node_ip(e.n));
    v += "\",\"ID\":";
    if (e.kind == kRelabeled) {
      const uint64_t q = static_cast<uint64_t>(e.slot) * L.N + e.n;
      pod_fields(v, e.n, e.slot, ids[e.k_new], e.k_old, q - L.lo(e.k_old));
    } else {
      // A new endpoint id: the entry's (entries >= E are no base slot), or the one the removed
      // pod at this address released (Cilium reuses released ids).
      pod_fields(v, e.n, e.kind == kReplaced ? e.slot : e.u, ids[e.k_new], e.k_new, e.name_idx);
    }
  }

  void ports_map(std::string& v, int k, bool frontend) const {
    v += '{';
    if (port_kind[k] == 0) {
      v += frontend ? "\"\":{\"Protocol\":\"TCP\",\"Port\":80}"
                    : "\"\":{\"Protocol\":\"TCP\",\"Port\":8080}";
    } else {
      v += frontend ? "\"http\":{\"Protocol\":\"TCP\",\"Port\":80}"
                    : "\"http\":{\"Protocol\":\"TCP\",\"Port\":8080}";
      if (port_kind[k] == 2) v += ",\"metrics\":{\"Protocol\":\"TCP\",\"Port\":9090}";
    }
    v += '}';
  }

  void service_value(std::string& v, int s, std::vector<std::string>& scratch, bool later = false) const {
    const int k = svc_identity[s];
    const int m = L.minor;
    v.clear();
    v += "{\"cluster\":\"";
    v += o->cluster_name;
    v += "\",\"namespace\":\"";
    v += namespaces[ns_of[k]];
    v += "\",\"name\":\"";
    v += svc_names[s];
    v += "\",\"frontends\":{\"";
    const uint32_t cip = (172u << 24) | (20u << 16) |
                         static_cast<uint32_t>(10 + permute(s, kMaxServices, o->seed, kTagSvcPerm));
    append_ipv4(v, cip);
    v += "\":";
    ports_map(v, k, true);
    v += "},\"backends\":{";
    // Backends = the identity's pods (first kMaxBackendsPerService), map keys sorted as strings.
    backend_ips(k, later, scratch);
    for (size_t i = 0; i < scratch.size(); ++i) {
      if (i) v += ',';
      v += '"';
      v += scratch[i];
      v += "\":";
      ports_map(v, k, false);
    }
    v += '}';
    if (m >= 16 && m <= 18) v += ",\"hostnames\":{}";
    v += ",\"labels\":{\"app\":\"";
    v += apps[k];
    v += "\"},\"selector\":{\"app\":\"";
    v += apps[k];
    v += "\"}";
    if (m >= 11) v += ",\"includeExternal\":true,\"shared\":true";
    if (m >= 14) {
      v += ",\"clusterID\":";
      append_uint(v, o->cluster_id);
    }
    v += '}';
  }

  void cluster_config_value(std::string& v) const {
    v = "{\"id\":";
    append_uint(v, o->cluster_id);
    v += ",\"capabilities\":{\"maxConnectedClusters\":255";
    if (L.minor >= 17) v += ",\"serviceExportsEnabled\":false";
    v += "}}";
  }

  // ----- emission ------------------------------------------------------------------------

  void emit_node(GenKey& g, int n, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kNodesPrefix);
    g.key += o->cluster_name;
    g.key += '/';
    g.key += node_names[n];
    if (node_changed(n)) {
      node_value(g.value, n, true);
      set_meta(g, L.rev_nodes + n, node_rev(n), 2, n + 1);
    } else {
      node_value(g.value, n);
      set_meta(g, L.rev_nodes + n, n + 1);
    }
    sink(g);
  }
  void emit_master(GenKey& g, int k, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kIdentityIdPrefix);
    append_uint(g.key, ids[k]);
    g.value = labels[k];
    if (k < L.I)
      set_meta(g, L.rev_masters + k, 0);
    else
      set_meta(g, new_master_rev[k - L.I], 0);
    sink(g);
  }
  void emit_slave(GenKey& g, int k, int n, int64_t t,
                  const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kIdentityValuePrefix);
    g.key += labels[k];
    g.key += '/';
    append_ipv4(g.key, node_ip(n));
    g.value.clear();
    append_uint(g.value, ids[k]);
    if (t >= 0)
      set_meta(g, L.rev_slaves + slave_off[k] + t, n + 1);
    else  // added in the later state: t = -1 - its index in slave_add
      set_meta(g, slave_add[-1 - t].rev, n + 1);
    sink(g);
  }
  void emit_ip(GenKey& g, int n, int s, int u,
               const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kIpcachePrefix);
    append_ipv4(g.key, entry_ip(n, u));
    ipcache_value(g.value, n, s, u);
    set_meta(g, L.rev_ip + static_cast<int64_t>(n) * L.E + s, n + 1);
    sink(g);
  }
  void emit_ip_event(GenKey& g, const PodEv& e, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kIpcachePrefix);
    append_ipv4(g.key, entry_ip(e.n, e.u));
    event_value(g.value, e);
    if (e.kind == kRelabeled)  // the same key written again
      set_meta(g, L.rev_ip + static_cast<int64_t>(e.n) * L.E + e.slot, e.rev, 2, e.n + 1);
    else  // deleted (kReplaced) or never there: created anew
      set_meta(g, e.rev, e.n + 1);
    sink(g);
  }
  void emit_service(GenKey& g, int s, std::vector<std::string>& scratch,
                    const std::function<void(const GenKey&)>& sink) const {
    const int k = svc_identity[s];
    g.key.assign(kServicesPrefix);
    g.key += o->cluster_name;
    g.key += '/';
    g.key += namespaces[ns_of[k]];
    g.key += '/';
    g.key += svc_names[s];
    if (chg && svc_state[s] == 1) {
      service_value(g.value, s, scratch, true);
      set_meta(g, L.rev_services + s, svc_rev[s], 2, L.N + 1);
    } else {
      service_value(g.value, s, scratch);
      set_meta(g, L.rev_services + s, L.N + 1);
    }
    sink(g);
  }
  void emit_cluster_config(GenKey& g, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kClusterConfigPrefix);
    g.key += o->cluster_name;
    cluster_config_value(g.value);
    set_meta(g, L.rev_cluster_config, L.N + 1);
    sink(g);
  }
  void emit_synced(GenKey& g, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kSyncedPrefix);
    g.key += o->cluster_name;
    g.key += "/cilium/state/services/v1";
    g.value = "2025-03-10T07:00:04Z";
    set_meta(g, L.rev_synced, L.N + 1);
    sink(g);
  }
  void emit_heartbeat(GenKey& g, const std::function<void(const GenKey&)>& sink) const {
    g.key.assign(kHeartbeatKey);
    g.value = "2025-03-10T08:15:00Z";
    if (chg) {  // written every minute since
      const int t = 8 * 60 + 15 + hb_minutes;
      g.value[11] = static_cast<char>('0' + t / 600);
      g.value[12] = static_cast<char>('0' + t / 60 % 10);
      g.value[14] = static_cast<char>('0' + t % 60 / 10);
      g.value[15] = static_cast<char>('0' + t % 10);
      set_meta(g, L.rev_heartbeat, hb_rev, 1 + hb_minutes, L.N + 1);
    } else {
      set_meta(g, L.rev_heartbeat, L.N + 1);
    }
    sink(g);
  }
  void set_meta(GenKey& g, int64_t rev, int group) const {
    g.create_revision = rev;
    g.mod_revision = rev;
    g.version = 1;
    g.lease_group = group;
    g.lease = group == 0 ? 0 : kLeaseBase + (group - 1);
  }
  void set_meta(GenKey& g, int64_t create, int64_t mod, int64_t version, int group) const {
    set_meta(g, mod, group);
    g.create_revision = create;
    g.version = version;
  }

  // Slave keys of identity k: (node, t) with t the position in the identity's node run.
  void run_nodes(int k, std::vector<std::pair<int, int64_t>>& out) const {
    out.clear();
    const uint64_t lo = L.lo(k), hi = L.lo(k + 1);
    const uint64_t cnt = std::min<uint64_t>(L.N, hi - lo);
    for (uint64_t t = 0; t < cnt; ++t)
      out.emplace_back(static_cast<int>((lo + t) % L.N), static_cast<int64_t>(t));
  }

  void generate(Order order, const std::function<void(const GenKey&)>& sink) const {
    if (chg) return generate_later(order, sink);
    GenKey g;
    std::vector<std::pair<int, int64_t>> run;
    std::vector<std::string> scratch;
    if (order == Order::Revision) {
      for (int n = 0; n < L.N; ++n) emit_node(g, n, sink);
      for (int k = 0; k < L.I; ++k) emit_master(g, k, sink);
      for (int k = 0; k < L.I; ++k) {
        run_nodes(k, run);
        for (auto [n, t] : run) emit_slave(g, k, n, t, sink);
      }
      for (int n = 0; n < L.N; ++n)
        for (int sl = 0; sl < L.E; ++sl) emit_ip(g, n, sl, slot_to_entry(n, sl), sink);
      for (int s = 0; s < L.S; ++s) emit_service(g, s, scratch, sink);
      if (L.cluster_config) emit_cluster_config(g, sink);
      if (L.synced) emit_synced(g, sink);
      emit_heartbeat(g, sink);
      return;
    }
    // Sorted: cilium/.heartbeat < cilium/cluster-config/ < cilium/state/identities/v1/id/ <
    // .../value/ < cilium/state/ip/ < cilium/state/nodes/ < cilium/state/services/ <
    // cilium/synced/.
    emit_heartbeat(g, sink);
    if (L.cluster_config) emit_cluster_config(g, sink);
    for (int k : id_by_idstr) emit_master(g, k, sink);
    for (int k : id_by_labels) {
      run_nodes(k, run);
      std::sort(run.begin(), run.end(), [&](const auto& x, const auto& y) {
        return node_ip_rank[x.first] < node_ip_rank[y.first];
      });
      for (auto [n, t] : run) emit_slave(g, k, n, t, sink);
    }
    // ipcache: dotted-quad strings sort octet by octet in decimal-string order.
    const uint32_t first = L.pod_base - (10u << 24);
    const uint64_t span = static_cast<uint64_t>(L.N) << L.hb;
    for (int o2 : octet_order) {
      for (int o3 : octet_order) {
        const uint32_t a = (static_cast<uint32_t>(o2) << 16) | (static_cast<uint32_t>(o3) << 8);
        if (a < first || a - first >= span) continue;
        const int n = static_cast<int>((a - first) >> L.hb);
        const uint32_t hbase = (a - first) - (static_cast<uint32_t>(n) << L.hb);
        for (int o4 : octet_order) {
          const int64_t h = static_cast<int64_t>(hbase) + o4;
          if (h >= 2 && h < 2 + L.E) {
            const int u = static_cast<int>(h - 2);
            emit_ip(g, n, entry_to_slot(n, u), u, sink);
          }
        }
      }
    }
    for (int n : node_by_name) emit_node(g, n, sink);
    for (int s : svc_sorted) emit_service(g, s, scratch, sink);
    if (L.synced) emit_synced(g, sink);
  }

  // The later state (change_fraction > 0). Revision order: the base state's keys that did not
  // change, in their order, then the writes after it in revision order.
  void generate_later(Order order, const std::function<void(const GenKey&)>& sink) const {
    GenKey g;
    std::vector<std::pair<int, int64_t>> run;
    std::vector<std::string> scratch;
    if (order == Order::Revision) {
      for (int n = 0; n < L.N; ++n)
        if (!node_changed(n)) emit_node(g, n, sink);
      for (int k = 0; k < L.I; ++k)
        if (!deleted[k]) emit_master(g, k, sink);
      for (int k = 0; k < L.I; ++k) {
        if (deleted[k]) continue;
        run_nodes(k, run);
        for (auto [n, t] : run)
          if (!has_slave(slave_rm, k, n)) emit_slave(g, k, n, t, sink);
      }
      for (int n = 0; n < L.N; ++n)
        for (int sl = 0; sl < L.E; ++sl) {
          const int u = slot_to_entry(n, sl);
          if (!find_ev(n, u)) emit_ip(g, n, sl, u, sink);
        }
      for (int s = 0; s < L.S; ++s)
        if (svc_state[s] == 0) emit_service(g, s, scratch, sink);
      if (L.cluster_config) emit_cluster_config(g, sink);
      if (L.synced) emit_synced(g, sink);
      // Written after the base state.
      emit_node(g, node_lab, sink);
      if (node_sec >= 0 && node_sec != node_lab) emit_node(g, node_sec, sink);
      for (int k = L.I; k < T; ++k) emit_master(g, k, sink);
      for (size_t i = 0; i < slave_add.size(); ++i)
        emit_slave(g, slave_add[i].k, slave_add[i].n, -1 - static_cast<int64_t>(i), sink);
      for (const PodEv& e : ev)
        if (e.kind != kRemoved) emit_ip_event(g, e, sink);
      for (int s = 0; s < L.S; ++s)
        if (svc_state[s] == 1) emit_service(g, s, scratch, sink);
      emit_heartbeat(g, sink);
      return;
    }
    emit_heartbeat(g, sink);
    if (L.cluster_config) emit_cluster_config(g, sink);
    for (int k : id_by_idstr)
      if (k >= L.I || !deleted[k]) emit_master(g, k, sink);
    for (int k : id_by_labels) {
      if (k < L.I && deleted[k]) continue;
      run.clear();
      if (k < L.I) {
        run_nodes(k, run);
        std::erase_if(run, [&](const auto& x) { return has_slave(slave_rm, k, x.first); });
      }
      auto it = std::lower_bound(slave_add.begin(), slave_add.end(), SlaveEv{k, -1, 0});
      for (; it != slave_add.end() && it->k == k; ++it)
        run.emplace_back(it->n, -1 - static_cast<int64_t>(it - slave_add.begin()));
      std::sort(run.begin(), run.end(), [&](const auto& x, const auto& y) {
        return node_ip_rank[x.first] < node_ip_rank[y.first];
      });
      for (auto [n, t] : run) emit_slave(g, k, n, t, sink);
    }
    // ipcache: every pod address of every node's CIDR (and of the secondary one).
    const uint32_t first = L.pod_base - (10u << 24);
    const uint64_t span = static_cast<uint64_t>(L.N) << L.hb;
    const uint32_t block = 1u << L.hb;
    const uint32_t sec_first = node_sec >= 0 ? sec_net - (10u << 24) : 0;
    for (int o2 : octet_order) {
      for (int o3 : octet_order) {
        const uint32_t a = (static_cast<uint32_t>(o2) << 16) | (static_cast<uint32_t>(o3) << 8);
        if (a >= first && a - first < span) {
          const int n = static_cast<int>((a - first) >> L.hb);
          const uint32_t hbase = (a - first) - (static_cast<uint32_t>(n) << L.hb);
          for (int o4 : octet_order) {
            const int64_t h = static_cast<int64_t>(hbase) + o4;
            if (h < 2 || h >= 2 + cap_p) continue;
            const int u = static_cast<int>(h - 2);
            if (const PodEv* e = find_ev(n, u)) {
              if (e->kind != kRemoved) emit_ip_event(g, *e, sink);
            } else if (u < L.E) {
              emit_ip(g, n, entry_to_slot(n, u), u, sink);
            }
          }
        } else if (node_sec >= 0 && a >= sec_first && a - sec_first < block) {
          const uint32_t hbase = a - sec_first;
          for (int o4 : octet_order) {
            const int64_t h = static_cast<int64_t>(hbase) + o4;
            if (h < 1 || h >= block - 1) continue;
            if (const PodEv* e = find_ev(node_sec, cap_p + static_cast<int>(h - 1)))
              emit_ip_event(g, *e, sink);
          }
        }
      }
    }
    for (int n : node_by_name) emit_node(g, n, sink);
    for (int s : svc_sorted)
      if (svc_state[s] != 2) emit_service(g, s, scratch, sink);
    if (L.synced) emit_synced(g, sink);
  }
};

Cluster::Cluster(GenOptions opts) : opts_(std::move(opts)), impl_(new Impl) {
  try {
    impl_->L = make_layout(opts_);
    impl_->o = &opts_;
    impl_->build();
    sum_ = impl_->L.sum;
  } catch (...) {
    delete impl_;
    throw;
  }
}

Cluster::~Cluster() { delete impl_; }

void Cluster::generate(Order order, const std::function<void(const GenKey&)>& sink) const {
  impl_->generate(order, sink);
}

NodeInfo Cluster::node(int n) const {
  if (n < 0 || n >= impl_->L.N) throw std::out_of_range("node index");
  NodeInfo ni;
  ni.name = impl_->node_names[n];
  ni.internal_ip = ipv4_string(impl_->node_ip(n));
  ni.router_ip = ipv4_string(impl_->node_net(n) + 1);
  ni.health_ip = ipv4_string(impl_->health_ip(n));
  ni.pod_cidr = impl_->node_net(n);
  ni.pod_cidr_len = 32 - impl_->L.hb;
  return ni;
}

std::string Cluster::identity_labels(int k) const { return impl_->labels.at(k); }
uint32_t Cluster::identity_id(int k) const { return impl_->ids.at(k); }

}  // namespace kvsnap::gen
