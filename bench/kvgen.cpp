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
void print_changes(const ChangeSummary& changes, const GenOptions& options) {
  const KeyChanges total = changes.total();
  std::fprintf(
      stderr,
      "changes against the --change-fraction 0 state (%lld keys, revision %lld), "
      "--change-fraction %g --change-seed %llu: %lld keys differ (%.2f%%)\n",
      static_cast<long long>(changes.base_keys), static_cast<long long>(changes.base_last_revision),
      options.change_fraction, static_cast<unsigned long long>(options.change_seed),
      static_cast<long long>(total.total()),
      changes.base_keys ? 100.0 * static_cast<double>(total.total()) / static_cast<double>(changes.base_keys) : 0.0);
  const std::pair<const char*, const KeyChanges*> rows[] = {{"node", &changes.node},
                                                            {"identity", &changes.identity},
                                                            {"identity_ref", &changes.identity_ref},
                                                            {"ipcache", &changes.ipcache},
                                                            {"service", &changes.service},
                                                            {"key", &changes.key},
                                                            {"total", &total}};
  for (const auto& [name, counts] : rows)
    std::fprintf(stderr, "change %s added=%lld removed=%lld changed=%lld\n", name,
                 static_cast<long long>(counts->added), static_cast<long long>(counts->removed),
                 static_cast<long long>(counts->changed));
  std::fprintf(stderr,
               "events: pods removed=%lld added=%lld relabelled=%lld (ips reused=%lld, in a secondary "
               "CIDR=%lld); identities deleted=%lld allocated=%lld; services removed=%lld backends "
               "changed=%lld; nodes changed=%lld; heartbeat +%d min\n",
               static_cast<long long>(changes.pods_removed), static_cast<long long>(changes.pods_added),
               static_cast<long long>(changes.pods_relabeled), static_cast<long long>(changes.ips_reused),
               static_cast<long long>(changes.pods_in_secondary), static_cast<long long>(changes.identities_deleted),
               static_cast<long long>(changes.identities_allocated), static_cast<long long>(changes.services_removed),
               static_cast<long long>(changes.services_backends_changed), static_cast<long long>(changes.nodes_changed),
               changes.heartbeat_minutes);
}

}  // namespace

int main(int argc, char** argv) {
  GenOptions options;
  long long keys = 0;
  std::string format = "etcd-json";
  WriteOptions write_options;
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
    ("nodes", po::value<int>(&options.nodes)->default_value(options.nodes), "nodes (one agent lease each)")
    ("identities", po::value<int>(&options.identities)->default_value(options.identities), "security identities")
    ("pods-per-node", po::value<int>(&options.pods_per_node)->default_value(options.pods_per_node), "pods per node")
    ("services", po::value<int>(&options.services)->default_value(options.services), "global services")
    ("seed", po::value<uint64_t>(&options.seed)->default_value(options.seed), "seed of every choice")
    ("cluster-name", po::value<std::string>(&options.cluster_name)->default_value(options.cluster_name), "Cilium cluster name")
    ("cluster-id", po::value<uint32_t>(&options.cluster_id)->default_value(options.cluster_id), "Cilium cluster ID (0..255)")
    ("cilium-version", po::value<std::string>(&options.cilium_version)->default_value(options.cilium_version), "value shapes of this Cilium minor (1.8 .. 1.20)")
    ("change-fraction", po::value<double>(&options.change_fraction)->default_value(0, "0"), "a later state: about this fraction of the keys differ (0 .. 0.25)")
    ("change-seed", po::value<uint64_t>(&options.change_seed)->default_value(options.change_seed), "seed of the changes (with --change-fraction)")
    ("output,o", po::value<std::string>(&format)->default_value(format), "etcd-json | cilium-json | cilium-text | load | csv")
    ("sorted", po::bool_switch(&write_options.sorted), "cilium-text/load: sort by key (default: revision order)")
    ("prefix", po::value<std::string>(&write_options.prefix), "only keys starting with this prefix")
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
  write_options.format = *fmt;
  if (vm.count("etcd-cluster-id")) write_options.etcd_cluster_id = vm["etcd-cluster-id"].as<uint64_t>();
  if (vm.count("etcd-member-id")) write_options.etcd_member_id = vm["etcd-member-id"].as<uint64_t>();
  if (vm.count("etcd-raft-term")) write_options.raft_term = vm["etcd-raft-term"].as<uint64_t>();
  try {
    if (vm.count("keys")) {
      for (const char* option : {"nodes", "identities", "pods-per-node", "services"})
        if (!vm[option].defaulted()) {
          std::cerr << "kvgen: --keys cannot be combined with --" << option << "\n";
          return 2;
        }
      options = options_for_keys(keys, options);
    }
    Cluster cluster(options);
    if (vm.count("stats")) {
      const GenSummary& summary = cluster.summary();
      std::cerr << "nodes=" << summary.nodes << " identities=" << summary.identities
                << " pods_per_node=" << summary.pods_per_node << " services=" << summary.services << " pod_cidr=/"
                << summary.pod_cidr_prefix_len << "\nkeys: master=" << summary.master_keys
                << " slave=" << summary.slave_keys << " ipcache=" << summary.ipcache_keys
                << " nodes=" << summary.node_keys << " services=" << summary.service_keys
                << " other=" << summary.other_keys << " total=" << summary.total_keys << " leases=" << summary.leases
                << " revision=" << summary.last_revision << "\n";
      if (summary.changed) print_changes(summary.change, options);
    }
    std::FILE* out = stdout;
    write_cluster(cluster, write_options, [&](std::string_view chunk) {
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
