#include <doctest/doctest.h>

#include "cilium/layouts.h"
#include "store/importer.h"
#include "store/schema.h"
#include "test_util.h"
#include "util/error.h"

using namespace kvsnap;
using namespace kvsnap::test;

namespace {

// Imports records into a fresh in-memory database and answers SQL about them.
struct Imported {
  Db db{":memory:", Db::Mode::Create};
  ImportSummary summary;
  explicit Imported(const std::vector<Record>& records) {
    ensure_schema(db, ":memory:");
    Importer imp(db, "t", "test", "test", false);
    for (auto r : records) imp.record(std::move(r));
    summary = imp.finish();
  }
  std::string q(const std::string& sql) {
    Stmt s = db.prepare(sql);
    std::string out;
    while (s.step()) {
      for (int c = 0; c < sqlite3_column_count(s.get()); ++c) {
        if (c) out += '|';  // appended, not "|" + temporary: GCC 12 -O3 warns a false -Wrestrict
        out += s.is_null(c) ? std::string("NULL") : s.text(c);
      }
      out += "\n";
    }
    return out;
  }
};

Record kv(std::string key, std::string value, int64_t lease = 0) {
  Record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.lease = lease;
  return r;
}

}  // namespace

TEST_CASE("the seed article's identity, IP and node decode into the expected rows") {
  for (const char* file : {"seed/seed-kvstore.txt", "seed/get-json.txt"}) {
    CAPTURE(file);
    Imported t(read_fixture(file).records);
    CHECK(t.summary.keys == 5);
    CHECK(t.summary.decode_errors == 0);
    CHECK(t.q("SELECT id, label_count, namespace, cluster_label, canonical, scope FROM identity") ==
          "12928|8|istio-system|default|1|state\n");
    CHECK(t.q("SELECT source, key, value FROM identity_label WHERE identity = 12928 ORDER BY position LIMIT 3") ==
          "k8s|app|istio-ingressgateway\nk8s|chart|gateways\nk8s|heritage|Tiller\n");
    CHECK(t.q("SELECT node_ip, identity, hex(node_ip_bin) FROM identity_ref") ==
          "10.5.1.132|12928|00000000000000000000FFFF0A050184\n");
    CHECK(t.q("SELECT ip, host_ip, identity, node_name, endpoint_id, k8s_namespace, k8s_pod_name, prefix_len "
              "FROM ipcache WHERE key_ip = '10.6.6.43'") ==
          "10.6.6.43|10.5.1.132|12928|k8s-node1|432|istio-system|ai-ingressgateway-6bdbdbf7dc-jz85c|NULL\n");
    CHECK(t.q("SELECT key_cluster, key_name, name, cluster_id, source, ipv4_health_ip FROM node") ==
          "default|k8s-node1|k8s-node1|0|local|10.6.6.79\n");
    CHECK(t.q("SELECT type, ip FROM node_address ORDER BY type") ==
          "CiliumInternalIP|10.6.6.71\nHealthIP|10.6.6.79\nInternalIP|10.5.1.132\n");
    CHECK(t.q("SELECT family, kind, cidr, prefix_len, network_address FROM node_cidr") ==
          "4|primary|10.6.6.0/24|24|1\n");
    // The pod IP lies in the node's CIDR: a BLOB range comparison.
    CHECK(t.q("SELECT count(*) FROM ipcache i JOIN node_cidr c ON i.ip_bin BETWEEN c.start_bin AND c.end_bin") ==
          "2\n");
  }
}

TEST_CASE("key classification: state, KVStoreMesh cache, top-level keys, unknown keys") {
  KeyParts p;
  auto name = [&](std::string_view key) {
    const KeyLayout* l = classify_key(key, p);
    return l ? std::string(l->name) : std::string("-");
  };
  CHECK(name("cilium/state/identities/v1/id/256") == "identity-master");
  CHECK(p.tail == "256");
  CHECK(name("cilium/cache/identities/v1/cluster2/id/131330") == "identity-master");
  CHECK(p.scope == "cache");
  CHECK(p.cluster == "cluster2");
  CHECK(p.tail == "131330");
  CHECK(name("cilium/state/identities/v1/locks/id/65793/694d8c3f2a1b7e05") == "identity-gc-lock");
  CHECK(name("cilium/state/identities/v1/locks/k8s:a=b;/694d") == "identity-lock");
  CHECK(name("cilium/cache/ip/v1/cluster2/10.2.0.9") == "ipcache");
  CHECK(p.tail == "cluster2/10.2.0.9");
  CHECK(name("cilium/cache/nodes/v1/cluster2/worker-a") == "node");
  CHECK(name("cilium/cache/services/v1/cluster2/default/echo") == "service");
  CHECK(name("cilium/state/noderegister/v1/vm1") == "node-register");
  CHECK(name("cilium/cache/noderegister/v1/x/vm1") == "-");
  CHECK(name("cilium/.heartbeat") == "heartbeat");
  CHECK(name("cilium/.heartbeatx") == "-");
  CHECK(name("cilium/.initlock/7a/694d") == "init-lock");
  CHECK(name("cilium/synced/cluster2/cilium/cache/ip/v1") == "sync-marker");
  CHECK(name("cilium/kvstoremesh-lock/694d8c3f2a1b7e09") == "kvstoremesh-lock");
  CHECK(name("cilium/state/endpoints/v1/x") == "-");
  CHECK(name("/app/config") == "-");
}

TEST_CASE("values that are not what their layout expects become decode errors, and stay in kv") {
  Imported t({
      kv("cilium/state/identities/v1/id/abc", "k8s:a=b;"),
      kv("cilium/state/identities/v1/id/300", ""),
      kv("cilium/state/identities/v1/id/301", "k8s:b=1;k8s:a=2;"),  // decodes, not canonical
      kv("cilium/state/identities/v1/value/k8s:a=b;/10.0.0.1", "twelve"),
      kv("cilium/state/ip/v1/default/10.0.0.9", "{\"IP\":\"10.0.0.9\",\"ID\":"),
      kv("cilium/state/ip/v1/default/10.0.0.8", "{\"IP\":\"10.0.0.8\",\"ID\":\"300\"}"),
      kv("cilium/state/ip/v1/default/10.0.0.7",
         std::string("{\"IP\":\"10.0.0.7\",\"ID\":300,\"K8sPodName\":\"\xff\"}")),
      kv("cilium/state/nodes/v1/default/n1",
         "{\"Name\":\"n1\",\"IPv4AllocCIDR\":{\"IP\":\"10.0.0.0\",\"Mask\":\"//8A/w==\"}}"),
      kv("cilium/state/nodes/v1/default/n2/extra", "{}"),
      kv("cilium/.heartbeat", "yesterday"),
      kv("cilium/cluster-config/c1", "[]"),
      kv("cilium/state/whatever/v1/x", "?"),
  });
  CHECK(t.summary.keys == 12);
  CHECK(t.q("SELECT count(*) FROM kv") == "12\n");
  CHECK(t.q("SELECT e.layout || ': ' || e.error FROM decode_error e JOIN kv ON kv.id = e.kv_id ORDER BY kv.id") ==
        "identity-master: key segment 'abc' is not a numeric identity\n"
        "identity-master: empty label string\n"
        "identity-slave: value 'twelve' is not a numeric identity\n"
        "ipcache: value is not JSON: incomplete JSON\n"
        "ipcache: field ID: expected an integer\n"
        "ipcache: value is not JSON: syntax error\n"
        "node: field IPv4AllocCIDR: mask is not contiguous\n"
        "node: key has no <cluster>/<node> form\n"
        "heartbeat: value 'yesterday' is not an RFC 3339 time\n"
        "cluster-config: value is not a JSON object\n");
  CHECK(t.q("SELECT id, canonical FROM identity") == "301|0\n");
  CHECK(t.q("SELECT count(*) FROM node") == "0\n");  // a node is written whole or not at all
  CHECK(t.q("SELECT key FROM unknown_key") == "cilium/state/whatever/v1/x\n");
}

TEST_CASE("KVStoreMesh cache rows carry scope and cluster") {
  Imported t({
      kv("cilium/cache/identities/v1/cluster2/id/131330", "k8s:app=client;k8s:io.cilium.k8s.policy.cluster=cluster2;"),
      kv("cilium/cache/ip/v1/cluster2/10.2.0.9",
         R"({"IP":"10.2.0.9","Mask":null,"HostIP":"172.19.0.4","ID":131330,"Key":0,"Metadata":""})"),
      kv("cilium/cluster-config/cluster2",
         R"({"id":2,"capabilities":{"syncedCanaries":true,"cached":true,"maxConnectedClusters":255,"serviceExportsEnabled":false}})"),
      kv("cilium/synced/cluster2/cilium/cache/ip/v1", "2025-03-10T07:01:13Z"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT scope, cluster, id, cluster_label FROM identity") == "cache|cluster2|131330|cluster2\n");
  CHECK(t.q("SELECT scope, cluster, address_space, identity, metadata, node_name FROM ipcache") ==
        "cache|cluster2|cluster2|131330||NULL\n");
  CHECK(t.q("SELECT cluster, id, synced_canaries, cached, max_connected_clusters, service_exports_enabled "
            "FROM cluster_config") == "cluster2|2|1|1|255|0\n");
  CHECK(t.q("SELECT cluster, prefix, scope, unix_time FROM sync_marker") ==
        "cluster2|cilium/cache/ip/v1|cache|1741590073\n");
}

TEST_CASE("a key seen twice: identical bytes are kept once, different bytes fail the import") {
  Imported t({kv("a", "1"), kv("a", "1")});
  CHECK(t.summary.keys == 1);
  CHECK(t.summary.meta.duplicate_records == 1);
  CHECK_THROWS_WITH_AS(Imported({kv("a", "1"), kv("a", "2")}), doctest::Contains("appears twice"), InputError);
}
