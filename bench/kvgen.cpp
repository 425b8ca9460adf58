// kvgen: writes a deterministic synthetic Cilium kvstore to stdout (see bench/gen).
#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "gen/cluster.h"
#include "gen/output.h"
#include "util/cli.h"

namespace po = boost::program_options;
using namespace kvsnap::gen;

namespace {

// What the later state changed, against the F=0 state, as kvdiff would count it: one
// "change ENTITY added=A removed=R changed=C" line per entity type (kvdiff's names), a total,
// and the events behind them.
void print_changes(const ChangeSummary& c, const GenOptions& g) {
  const KeyChanges t = c.total();
  std::fprintf(stderr,
               "changes against the --change-fraction 0 state (%lld keys, revision %lld), "
               "--change-fraction %g --change-seed %llu: %lld keys differ (%.2f%%)\n",
               static_cast<long long>(c.base_keys), static_cast<long long>(c.base_last_revision),
               g.change_fraction, static_cast<unsigned long long>(g.change_seed),
               static_cast<long long>(t.total()),
               c.base_keys ? 100.0 * static_cast<double>(t.total()) / static_cast<double>(c.base_keys) : 0.0);
  const std::pair<const char*, const KeyChanges*> rows[] = {
      {"node", &c.node},       {"identity", &c.identity}, {"identity_ref", &c.identity_ref},
      {"ipcache", &c.ipcache}, {"service", &c.service},   {"key", &c.key},
      {"total", &t}};
  for (const auto& [name, k] : rows)
    std::fprintf(stderr, "change %s added=%lld removed=%lld changed=%lld\n", name,
                 static_cast<long long>(k->added), static_cast<long long>(k->removed),
                 static_cast<long long>(k->changed));
  std::fprintf(stderr,
               "events: pods removed=%lld added=%lld relabelled=%lld (ips reused=%lld, in a secondary "
               "CIDR=%lld); identities deleted=%lld allocated=%lld; services removed=%lld backends "
               "changed=%lld; nodes changed=%lld; heartbeat +%d min\n",
               static_cast<long long>(c.pods_removed), static_cast<long long>(c.pods_added),
               static_cast<long long>(c.pods_relabeled), static_cast<long long>(c.ips_reused),
               static_cast<long long>(c.pods_in_secondary), static_cast<long long>(c.identities_deleted),
               static_cast<long long>(c.identities_allocated), static_cast<long long>(c.services_removed),
               static_cast<long long>(c.services_backends_changed), static_cast<long long>(c.nodes_changed),
               c.heartbeat_minutes);
}

}  // namespace

int main(int argc, char** argv) {
  GenOptions g;
  long long keys = 0;
  std::string format = "etcd-json";
  WriteOptions wo;
  kvsnap::ToolHelp help;
  help.name = "kvgen";
  help.summary = "write a synthetic Cilium kvstore (benchmarks and test fixtures)";
  help.synopsis = {"kvgen [--keys N | --nodes N --identities N --pods-per-node N --services N]",
                   "      [--seed S] [--cluster-name C] [--cluster-id N] [--cilium-version V]",
                   "      [--change-fraction F [--change-seed S]]",
                   "      [-o FORMAT] [--sorted] [--prefix P] [--stats]",
                   "      [--etcd-cluster-id N --etcd-member-id N --etcd-raft-term N]"};
  help.description =
      "Writes a deterministic synthetic Cilium kvstore (kvstore mode) to stdout.\n"
      "Formats: etcd-json (etcdctl 3.4 get --prefix -w json), cilium-json (cilium kvstore get\n"
      "--recursive -o json), cilium-text (cilium kvstore get --recursive), load (input of\n"
      "scripts/etcd-load.py: base64 key, base64 value, lease group), csv (key,value RFC 4180\n"
      "records, CRLF, no header, in etcd-json's key order).\n\n"
      "--change-fraction F writes a later state of the same cluster (same options and --seed) in\n"
      "which about F of the keys differ: pods gone and new ones (new IPs in their node's pod CIDR),\n"
      "endpoints that changed identity, identities deleted and allocated (with their slave keys),\n"
      "a node's labels and another's secondary pod CIDR, services whose backends changed, a later\n"
      "heartbeat. Every other key is byte for byte the F=0 key; --change-seed picks the changes.\n"
      "--stats then also prints what differs, as kvdiff counts it (one 'change ENTITY' line each).";
  help.exit_status = "0 written, 2 bad usage.";
  help.positional_files = false;
  po::options_description desc;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("keys", po::value<long long>(&keys), "about this many keys in total; picks the counts below")
    ("nodes", po::value<int>(&g.nodes)->default_value(g.nodes), "nodes (one agent lease each)")
    ("identities", po::value<int>(&g.identities)->default_value(g.identities), "security identities")
    ("pods-per-node", po::value<int>(&g.pods_per_node)->default_value(g.pods_per_node), "pods per node")
    ("services", po::value<int>(&g.services)->default_value(g.services), "global services")
    ("seed", po::value<uint64_t>(&g.seed)->default_value(g.seed), "seed of every choice")
    ("cluster-name", po::value<std::string>(&g.cluster_name)->default_value(g.cluster_name), "Cilium cluster name")
    ("cluster-id", po::value<uint32_t>(&g.cluster_id)->default_value(g.cluster_id), "Cilium cluster ID (0..255)")
    ("cilium-version", po::value<std::string>(&g.cilium_version)->default_value(g.cilium_version), "value shapes of this Cilium minor (1.8 .. 1.20)")
    ("change-fraction", po::value<double>(&g.change_fraction)->default_value(0, "0"), "a later state: about this fraction of the keys differ (0 .. 0.25)")
    ("change-seed", po::value<uint64_t>(&g.change_seed)->default_value(g.change_seed), "seed of the changes (with --change-fraction)")
    ("output,o", po::value<std::string>(&format)->default_value(format), "etcd-json | cilium-json | cilium-text | load | csv")
    ("sorted", po::bool_switch(&wo.sorted), "cilium-text/load: sort by key (default: revision order)")
    ("prefix", po::value<std::string>(&wo.prefix), "only keys starting with this prefix")
    ("etcd-cluster-id", po::value<uint64_t>(), "etcd-json: header cluster_id (default: from the seed)")
    ("etcd-member-id", po::value<uint64_t>(), "etcd-json: header member_id (default: from the seed)")
    ("etcd-raft-term", po::value<uint64_t>(), "etcd-json: header raft_term (default 2)")
    ("stats", "print the key counts (and with --change-fraction what differs) to stderr");
  // clang-format on
  std::vector<std::string> positional;
  int status = 0;
  auto parsed = kvsnap::parse_command_line(argc, argv, help, desc, positional, status);
  if (!parsed) return status;
  const po::variables_map& vm = *parsed;
  if (!positional.empty()) {
    kvsnap::print_error("kvgen", "takes no arguments, only options (kvgen --help)");
    return 2;
  }
  auto fmt = parse_format(format);
  if (!fmt) {
    std::cerr << "kvgen: unknown output format '" << format << "'\n";
    return 2;
  }
  wo.format = *fmt;
  if (vm.count("etcd-cluster-id")) wo.etcd_cluster_id = vm["etcd-cluster-id"].as<uint64_t>();
  if (vm.count("etcd-member-id")) wo.etcd_member_id = vm["etcd-member-id"].as<uint64_t>();
  if (vm.count("etcd-raft-term")) wo.raft_term = vm["etcd-raft-term"].as<uint64_t>();
  try {
    if (vm.count("keys")) {
      for (const char* o : {"nodes", "identities", "pods-per-node", "services"})
        if (!vm[o].defaulted()) {
          std::cerr << "kvgen: --keys cannot be combined with --" << o << "\n";
          return 2;
        }
      g = options_for_keys(keys, g);
    }
    Cluster cluster(g);
    if (vm.count("stats")) {
      const GenSummary& s = cluster.summary();
      std::cerr << "nodes=" << s.nodes << " identities=" << s.identities
                << " pods_per_node=" << s.pods_per_node << " services=" << s.services
                << " pod_cidr=/" << s.pod_cidr_prefix_len << "\nkeys: master=" << s.master_keys
                << " slave=" << s.slave_keys << " ipcache=" << s.ipcache_keys
                << " nodes=" << s.node_keys << " services=" << s.service_keys
                << " other=" << s.other_keys << " total=" << s.total_keys
                << " leases=" << s.leases << " revision=" << s.last_revision << "\n";
      if (s.changed) print_changes(s.change, g);
    }
    std::FILE* out = stdout;
    write_cluster(cluster, wo, [&](std::string_view chunk) {
      if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size())
        throw std::runtime_error("write to stdout failed");
    });
    if (std::fflush(out) != 0) throw std::runtime_error("write to stdout failed");
  } catch (const std::exception& e) {
    std::cerr << "kvgen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
