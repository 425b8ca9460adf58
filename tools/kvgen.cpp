// kvgen: writes a deterministic synthetic Cilium kvstore to stdout (see lib/gen).
#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "gen/cluster.h"
#include "gen/output.h"

namespace po = boost::program_options;
using namespace kvsnap::gen;

int main(int argc, char** argv) {
  GenOptions g;
  long long keys = 0;
  std::string format = "etcd-json";
  WriteOptions wo;
  po::options_description desc(
      "Usage: kvgen [--keys N | --nodes N --identities N --pods-per-node N --services N]\n"
      "             [--seed S] [--cluster-name C] [--cluster-id N] [--cilium-version V]\n"
      "             [-o FORMAT] [--sorted] [--prefix P] [--stats]\n"
      "             [--etcd-cluster-id N --etcd-member-id N --etcd-raft-term N]\n\n"
      "Writes a deterministic synthetic Cilium kvstore (kvstore mode) to stdout.\n"
      "Formats: etcd-json (etcdctl 3.4 get --prefix -w json), cilium-json (cilium kvstore get\n"
      "--recursive -o json), cilium-text (cilium kvstore get --recursive), load (input of\n"
      "scripts/etcd-load.py: base64 key, base64 value, lease group), csv (key,value RFC 4180\n"
      "records, CRLF, no header, in etcd-json's key order).\n\nOptions");
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
    ("output,o", po::value<std::string>(&format)->default_value(format), "etcd-json | cilium-json | cilium-text | load | csv")
    ("sorted", po::bool_switch(&wo.sorted), "cilium-text/load: sort by key (default: revision order)")
    ("prefix", po::value<std::string>(&wo.prefix), "only keys starting with this prefix")
    ("etcd-cluster-id", po::value<uint64_t>(), "etcd-json: header cluster_id (default: from the seed)")
    ("etcd-member-id", po::value<uint64_t>(), "etcd-json: header member_id (default: from the seed)")
    ("etcd-raft-term", po::value<uint64_t>(), "etcd-json: header raft_term (default 2)")
    ("stats", "print the key counts to stderr");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "kvgen: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
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
