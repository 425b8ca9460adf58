#include <doctest/doctest.h>

#include "cilium/json_fields.h"
#include "cilium/layouts.h"
#include "store/importer.h"
#include "store/schema.h"
#include "store/sql_functions.h"
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
    register_sql_functions(db);
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
      kv("cilium/state/ip/v1/default/10.0.0.7", "{\"IP\":\"10.0.0.7\",\"ID\":300}{}"),
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
        "ipcache: field ID: expected a number, got a string\n"
        "ipcache: value is not JSON: extra data\n"
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

TEST_CASE("key_hash is the key's CRC-32C as a signed 32-bit integer (docs/database.md)") {
  Imported t({kv("123456789", "v")});
  // CRC-32C("123456789") = 0xE3069283, the check value of the Castagnoli CRC.
  CHECK(t.q("SELECT key_hash FROM kv") == std::to_string(int64_t(0xE3069283) - (int64_t(1) << 32)) + "\n");
}

TEST_CASE("keys out of order: the ids no longer follow the keys, and a repeated key is still found") {
  Imported sorted({kv("a", "1"), kv("b", "2"), kv("c", "3")});
  CHECK(sorted.q("SELECT keys_in_order, first_kv_id, key_count FROM snapshot") == "1|1|3\n");
  Imported t({kv("b", "2"), kv("c", "3"), kv("a", "1"), kv("c", "3"), kv("b", "2"), kv("d", "4")});
  CHECK(t.summary.keys == 4);
  CHECK(t.summary.meta.duplicate_records == 2);
  CHECK(t.q("SELECT keys_in_order, first_kv_id, key_count FROM snapshot") == "0|1|4\n");
  CHECK(t.q("SELECT group_concat(key, '') FROM (SELECT key FROM kv ORDER BY id)") == "bcad\n");
  CHECK_THROWS_WITH_AS(Imported({kv("b", "2"), kv("a", "1"), kv("b", "3")}), doctest::Contains("appears twice"),
                       InputError);
  // The key just imported, again (overlapping pages): a duplicate, and the order still holds.
  Imported again({kv("a", "1"), kv("b", "2"), kv("b", "2"), kv("c", "3")});
  CHECK(again.summary.meta.duplicate_records == 1);
  CHECK(again.q("SELECT keys_in_order, key_count FROM snapshot") == "1|3\n");
  CHECK_THROWS_WITH_AS(Imported({kv("a", "1"), kv("b", "2"), kv("b", "3")}), doctest::Contains("appears twice"),
                       InputError);
}

TEST_CASE("two keys of the same key_hash are two keys, each found by hash and bytes") {
  // A CRC-32C collision (both 0xba870a5f): the hash narrows a lookup, the key's bytes decide it.
  const std::string a = "cilium/state/ip/v1/default/10.6.205.251", b = "cilium/state/ip/v1/default/10.10.40.8";
  Imported t({kv(b, "x"), kv(a, "y"), kv(b, "x"), kv(a, "y")});
  CHECK(t.summary.keys == 2);
  CHECK(t.summary.meta.duplicate_records == 2);
  CHECK(t.q("SELECT count(DISTINCT key_hash) FROM kv") == "1\n");
  CHECK_THROWS_WITH_AS(Imported({kv(b, "x"), kv(a, "y"), kv(b, "z")}), doctest::Contains("appears twice"), InputError);
}

// Cilium reads its values with Go's encoding/json; kvsnap decodes them the same way
// (docs/cilium-kvstore.md, "How values are decoded").
TEST_CASE("field names match as in Go: exactly, else case-insensitively; unknown fields are ignored") {
  Imported t({
      kv("cilium/state/ip/v1/default/10.0.0.5",
         R"({"ip":"10.0.0.5","id":300,"HOSTIP":"192.168.1.5","k8sNamespace":"ns","K8SPODNAME":"p",)"
         R"("metadata":"cilium-global:default:n1:7","Unknown":{"x":[1,{"y":null}]},"IPv9":"?"})"),
      // U+212A KELVIN SIGN folds to K, U+017F LONG S to S, as in Go; no other non-ASCII letter.
      kv("cilium/state/ip/v1/default/10.0.0.6",
         "{\"IP\":\"10.0.0.6\",\"ID\":1,\"\xE2\x84\xAA"
         "8\xC5\xBFNamespace\":\"kelvin\",\"K8sPod\xC3\x91"
         "ame\":\"x\"}"),
      kv("cilium/state/nodes/v1/default/n1",
         R"({"name":"n1","CLUSTER":"default","ipaddresses":[{"type":"InternalIP","ip":"10.1.0.1"}],)"
         R"("ipv4AllocCidr":{"ip":"10.2.0.0","mask":"////AA=="},"clusterid":0,"Surprise":true})"),
      kv("cilium/state/services/v1/default/default/api",
         R"({"Cluster":"default","NAMESPACE":"default","Name":"api","Frontends":{"10.96.0.1":{"http":{"protocol":"TCP","port":80}}},)"
         R"("BACKENDS":{"10.0.0.5":{"http":{"Protocol":"TCP","Port":8080}}},"Hostnames":{"10.0.0.5":"api-0"},"IncludeExternal":true})"),
      kv("cilium/cluster-config/c1", R"({"ID":1,"Capabilities":{"SyncedCanaries":true,"maxconnectedclusters":511}})"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT ip, identity, host_ip, k8s_namespace, k8s_pod_name, node_name, endpoint_id FROM ipcache ORDER BY "
            "ip") == "10.0.0.5|300|192.168.1.5|ns|p|n1|7\n10.0.0.6|1|NULL|kelvin||NULL|NULL\n");
  CHECK(t.q("SELECT name, cluster, cluster_id FROM node") == "n1|default|0\n");
  CHECK(t.q("SELECT type, ip FROM node_address") == "InternalIP|10.1.0.1\n");
  CHECK(t.q("SELECT cidr FROM node_cidr") == "10.2.0.0/24\n");
  CHECK(t.q("SELECT cluster, namespace, name, include_external, shared, cluster_id FROM service") ==
        "default|default|api|1|0|0\n");
  CHECK(t.q("SELECT ip, port_name, protocol, port FROM service_frontend") == "10.96.0.1|http|TCP|80\n");
  CHECK(t.q("SELECT ip, port, hostname, zone FROM service_backend") == "10.0.0.5|8080|api-0|NULL\n");
  CHECK(t.q("SELECT id, synced_canaries, cached, max_connected_clusters FROM cluster_config") == "1|1|0|511\n");
}

TEST_CASE("a field given twice: the last value wins, null keeps a scalar and empties a slice, structs and maps merge") {
  Imported t({
      // Boost.JSON keeps a repeated key at its first place: document order decides here.
      kv("cilium/state/ip/v1/default/10.0.0.5", R"({"IP":"10.0.0.5","id":1,"ID":2,"id":3,"Key":4,"Key":null})"),
      kv("cilium/state/ip/v1/default/10.0.0.6",
         R"({"IP":"10.0.0.6","ID":5,"ID":null,"K8sPodName":"a","k8spodname":null,"HostIP":"10.1.0.1","HostIP":null,)"
         R"("NamedPorts":[{"Name":"x","Port":1}],"NamedPorts":null})"),
      kv("cilium/state/nodes/v1/default/n1",
         R"({"Name":"n1","Labels":{"a":"1","b":"2"},"labels":{"b":"3","c":null},"Annotations":{"x":"y"},"Annotations":null,)"
         R"("IPv4AllocCIDR":{"IP":"10.2.0.0"},"ipv4alloccidr":{"Mask":"//8AAA=="},)"
         R"("IPv6AllocCIDR":{"IP":"fd00::","Mask":"//////////8AAAAAAAAAAA=="},"IPv6AllocCIDR":null})"),
      kv("cilium/cluster-config/c1",
         R"({"id":1,"capabilities":{"cached":true},"capabilities":{"syncedCanaries":true,"serviceExportsEnabled":true},)"
         R"("capabilities":{"serviceExportsEnabled":null}})"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT ip, identity, encrypt_key, k8s_pod_name, host_ip, port_set_id FROM ipcache ORDER BY ip") ==
        "10.0.0.5|3|4||NULL|NULL\n10.0.0.6|5|0|a|NULL|NULL\n");
  CHECK(t.q("SELECT labels, annotations FROM node") == "{\"a\":\"1\",\"b\":\"3\",\"c\":\"\"}|NULL\n");
  CHECK(t.q("SELECT cidr FROM node_cidr") == "10.2.0.0/16\n");
  CHECK(t.q("SELECT synced_canaries, cached, service_exports_enabled FROM cluster_config") == "1|1|NULL\n");
}

TEST_CASE("NamedPorts are kept once per snapshot in port_set, and the entries point at them") {
  const std::string ports = R"([{"Name":"http","Port":80,"Protocol":"TCP"}])";
  Imported t({
      kv("cilium/state/ip/v1/default/10.0.0.5", R"({"IP":"10.0.0.5","NamedPorts":)" + ports + "}"),
      kv("cilium/state/ip/v1/default/10.0.0.6", R"({"IP":"10.0.0.6","NamedPorts":)" + ports + "}"),
      kv("cilium/state/ip/v1/default/10.0.0.7", R"({"IP":"10.0.0.7","NamedPorts":[ ]})"),
      kv("cilium/state/ip/v1/default/10.0.0.8", R"({"IP":"10.0.0.8"})"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(
      t.q("SELECT p.ip, ps.named_ports FROM ipcache p LEFT JOIN port_set ps ON ps.id = p.port_set_id ORDER BY p.ip") ==
      "10.0.0.5|" + ports + "\n10.0.0.6|" + ports +
          "\n10.0.0.7|[]\n10.0.0.8|NULL\n");  // compact JSON, as Ref::json() writes it
  CHECK(t.q("SELECT count(*), count(DISTINCT port_set_id) FROM ipcache WHERE port_set_id IS NOT NULL") == "3|2\n");
  CHECK(t.q("SELECT count(*) FROM port_set") == "2\n");
}

TEST_CASE("a missing field is Go's zero value: \"\", 0, false; pointers, slices and maps stay NULL") {
  Imported t({
      kv("cilium/state/ip/v1/default/10.0.0.5", R"({"IP":"10.0.0.5"})"),
      kv("cilium/state/ip/v1/default/10.0.0.6", R"({"ID":300})"),  // no IP: Cilium's nil IP ("<nil>")
      kv("cilium/state/ip/v1/default/10.0.0.7", R"({"IP":"","HostIP":"","ID":7})"),
      kv("cilium/state/ip/v1/default/10.0.0.8", "null"),  // Go leaves the struct zero
      kv("cilium/state/nodes/v1/default/n1", R"({"IPv4HealthIP":""})"),
      kv("cilium/state/services/v1/default/default/api", "{}"),
      kv("cilium/cluster-config/c1", "{}"),
      kv("cilium/state/cnpstatuses/v2/uid/default/allow/n1", "{}"),
      kv("cilium/state/serviceexports/v1/default/default/api", "{}"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT key_ip, ip, ip_bin IS NULL, identity, encrypt_key, host_ip, metadata, k8s_namespace, k8s_pod_name, "
            "k8s_service_account, k8s_pod_uid, port_set_id FROM ipcache ORDER BY key_ip") ==
        "10.0.0.5|10.0.0.5|0|0|0|NULL||||||NULL\n"
        "10.0.0.6|NULL|1|300|0|NULL||||||NULL\n"
        "10.0.0.7|NULL|1|7|0|NULL||||||NULL\n"
        "10.0.0.8|NULL|1|0|0|NULL||||||NULL\n");
  CHECK(t.q("SELECT key_name, name, cluster, cluster_id, source, encryption_key, node_identity, ipv4_health_ip, "
            "wireguard_pub_key, boot_id, labels, annotations FROM node") == "n1|||0||0|0|NULL|||NULL|NULL\n");
  CHECK(t.q("SELECT count(*) FROM node_address") == "0\n");
  CHECK(t.q("SELECT cluster, namespace, name, cluster_id, include_external, shared, labels, selector FROM service") ==
        "|||0|0|0|NULL|NULL\n");
  CHECK(t.q("SELECT id, synced_canaries, cached, max_connected_clusters, service_exports_enabled, "
            "endpoint_slices_export_mode FROM cluster_config") == "0|0|0|0|NULL|\n");
  CHECK(t.q("SELECT ok, error, enforcing, local_policy_revision, last_updated FROM policy_status") == "0||0|0|NULL\n");
  CHECK(t.q("SELECT cluster, namespace, name, type, created_at FROM service_export") == "||||NULL\n");
}

TEST_CASE("what Go refuses stays a decode error: a wrong JSON type, a number out of range, invalid JSON") {
  auto error_of = [](const std::string& key, const std::string& value) {
    Imported t({kv(key, value)});
    return t.q("SELECT error FROM decode_error");
  };
  const std::string ip = "cilium/state/ip/v1/default/10.0.0.5";
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","ID":"300"})") == "field ID: expected a number, got a string\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","ID":1.0})") == "field ID: 1.0 is not an unsigned integer\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","ID":-1})") == "field ID: -1 is not an unsigned integer\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","ID":4294967296})") == "field ID: 4294967296 overflows uint32\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","Key":256})") == "field Key: 256 overflows uint8\n");
  // A wrong type is an error even when a later occurrence would have been fine (Go reports the first).
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","ID":"x","ID":5})") == "field ID: expected a number, got a string\n");
  CHECK(error_of(ip, R"({"IP":5})") == "field IP: expected a string, got a number\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.500"})") == "field IP: '10.0.0.500' is not an IP address\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","NamedPorts":{}})") == "field NamedPorts: expected an array, got an object\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","NamedPorts":[{"Port":70000}]})") ==
        "field NamedPorts[].Port: 70000 overflows uint16\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5","Mask":"***"})") == "field Mask: not base64\n");
  CHECK(error_of(ip, "[]") == "value is not a JSON object\n");
  CHECK(error_of(ip, "") == "value is not JSON: incomplete JSON\n");
  CHECK(error_of(ip, R"({"IP":"10.0.0.5",})") == "value is not JSON: syntax error\n");
  const std::string node = "cilium/state/nodes/v1/default/n1";
  CHECK(error_of(node, R"({"Name":5})") == "field Name: expected a string, got a number\n");
  CHECK(error_of(node, R"({"Labels":{"a":1}})") == "field Labels[]: expected a string, got a number\n");
  CHECK(error_of(node, R"({"IPAddresses":[{"IP":"x"}]})") == "field IPAddresses[].IP: 'x' is not an IP address\n");
  CHECK(error_of(node, R"({"IPAddresses":["10.0.0.1"]})") == "field IPAddresses[]: expected an object, got a string\n");
  CHECK(error_of(node, R"({"ClusterID":-1})") == "field ClusterID: -1 is not an unsigned integer\n");
  CHECK(error_of(node, R"({"IPv4AllocCIDR":"10.0.0.0/24"})") ==
        "field IPv4AllocCIDR: expected an object, got a string\n");
  CHECK(error_of("cilium/cluster-config/c1", R"({"capabilities":{"cached":"yes"}})") ==
        "field capabilities.cached: expected true or false, got a string\n");
  CHECK(error_of("cilium/cluster-config/c1", R"({"capabilities":[]})") ==
        "field capabilities: expected an object, got an array\n");
  CHECK(error_of("cilium/state/services/v1/c/ns/s", R"({"frontends":{"10.0.0.1":{"http":{"Port":"80"}}}})") ==
        "field frontends[10.0.0.1][http].Port: expected a number, got a string\n");
  CHECK(error_of("cilium/state/services/v1/c/ns/s", R"({"zones":{"10.0.0.1":{"zone":1}}})") ==
        "field zones[10.0.0.1].zone: expected a string, got a number\n");
  CHECK(error_of("cilium/state/serviceexports/v1/c/ns/s", R"({"exportCreationTimestamp":""})") ==
        "field exportCreationTimestamp: '' is not an RFC 3339 time\n");
}

TEST_CASE("names_field: Go's case folding, with the two runes outside ASCII that fold into it") {
  using kvsnap::json_fields::names_field;
  CHECK(names_field("ID", "ID"));
  CHECK(names_field("id", "ID"));
  CHECK(names_field("k8sPODname", "K8sPodName"));
  CHECK_FALSE(names_field("IDs", "ID"));
  CHECK_FALSE(names_field("I", "ID"));
  CHECK_FALSE(names_field("", "ID"));
  CHECK_FALSE(names_field("IC", "ID"));
  CHECK_FALSE(names_field("I_", "I?"));
  // As long as the name but not ASCII: no match (a rune outside ASCII takes two bytes or more).
  CHECK_FALSE(names_field("I\xC4", "ID"));
  CHECK_FALSE(names_field("\xC5\xBF", "SS"));
  // U+212A KELVIN SIGN is K, U+017F LONG S is S, anywhere in the key.
  CHECK(
      names_field("\xE2\x84\xAA"
                  "ey",
                  "Key"));
  CHECK(names_field("Ma\xC5\xBFk", "Mask"));
  CHECK(
      names_field("\xE2\x84\xAA"
                  "8\xC5\xBFNamespace",
                  "K8sNamespace"));
  CHECK_FALSE(
      names_field("\xE2\x84\xAA"
                  "e",
                  "Key"));
  CHECK_FALSE(
      names_field("\xC3\x91"
                  "ame",
                  "Name"));
}

TEST_CASE("strings as Go reads them: invalid UTF-8 becomes U+FFFD; a mask may be an array of bytes") {
  Imported t({
      kv("cilium/state/ip/v1/default/10.0.0.5",
         std::string("{\"IP\":\"10.0.0.5\",\"K8sPodName\":\"a\xff\xe2\x82z\",\"K8sNamespace\":\"\\u00e9\"}  \n")),
      kv("cilium/state/ip/v1/default/10.0.0.0/24", R"({"IP":"10.0.0.0","Mask":[255,255,255,0],"ID":2})"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT hex(k8s_pod_name), k8s_namespace FROM ipcache WHERE key_ip = '10.0.0.5'") ==
        "61EFBFBDEFBFBDEFBFBD7A|\xC3\xA9\n");
  CHECK(t.q("SELECT prefix_len FROM ipcache WHERE key_ip = '10.0.0.0/24'") == "24\n");
  // The range of a CIDR entry; a host entry has none (it covers its ip_bin alone).
  CHECK(t.q("SELECT key_ip, ip_text(start_bin), ip_text(end_bin), ip_text(ip_bin) FROM ipcache ORDER BY kv_id") ==
        "10.0.0.5|NULL|NULL|10.0.0.5\n10.0.0.0/24|10.0.0.0|10.0.0.255|10.0.0.0\n");
}

TEST_CASE("a sync canary whose value is not a time is still a canary, its time NULL") {
  Imported t({
      kv("cilium/synced/c1/cilium/state/nodes/v1", "true"),
      kv("cilium/synced/c1/cilium/state/ip/v1", "2025-03-10T07:00:04Z"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT prefix, value, unix_time FROM sync_marker ORDER BY prefix") ==
        "cilium/state/ip/v1|2025-03-10T07:00:04Z|1741590004\ncilium/state/nodes/v1|true|NULL\n");
}

TEST_CASE("fields Cilium added since 1.16: K8sServiceAccount, K8sPodUID, zones, endpointSlicesExportMode") {
  Imported t({
      kv("cilium/state/ip/v1/default/10.1.1.17",
         R"({"IP":"10.1.1.17","Mask":null,"HostIP":"172.18.0.3","ID":65793,"Key":255,"Metadata":"",)"
         R"("K8sNamespace":"default","K8sPodName":"echo-0","K8sServiceAccount":"echo",)"
         R"("K8sPodUID":"4d1c2f6e-8a3b-4e5f-9c0d-1e2f3a4b5c6d"})"),
      kv("cilium/cluster-config/cluster1",
         R"({"id":1,"capabilities":{"syncedCanaries":true,"maxConnectedClusters":255,"serviceExportsEnabled":false,)"
         R"("endpointSlicesExportMode":"services-and-endpointslices"}})"),
      kv("cilium/state/services/v1/cluster1/db/pg",
         R"({"cluster":"cluster1","namespace":"db","name":"pg","frontends":{},"backends":{"10.1.2.9":{"pg":{"Protocol":"TCP","Port":5432}}},)"
         R"("hostnames":{"10.1.2.9":"pg-0"},"zones":{"10.1.2.9":{"zone":"eu-west-1a","forZones":[{"name":"eu-west-1a"}]}},)"
         R"("labels":{},"selector":{"app":"pg"},"includeExternal":true,"shared":true,"clusterID":1})"),
  });
  CHECK(t.summary.decode_errors == 0);
  CHECK(t.q("SELECT k8s_service_account, k8s_pod_uid, encrypt_key FROM ipcache") ==
        "echo|4d1c2f6e-8a3b-4e5f-9c0d-1e2f3a4b5c6d|255\n");
  CHECK(
      t.q("SELECT endpoint_slices_export_mode, service_exports_enabled, max_connected_clusters FROM cluster_config") ==
      "services-and-endpointslices|0|255\n");
  CHECK(t.q("SELECT hostname, zone FROM service_backend") == "pg-0|eu-west-1a\n");
  CHECK(t.q("SELECT labels, selector FROM service") == "{}|{\"app\":\"pg\"}\n");
}
