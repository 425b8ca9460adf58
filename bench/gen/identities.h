#pragma once
// The security identities: numbers, label sets, the pods' apps, namespaces, service accounts,
// named ports and pod names, and the orders their keys sort in.
#include <cstdint>
#include <string>
#include <vector>

#include "gen/cluster.h"
#include "gen/layout.h"

namespace kvsnap::gen {

// The ports of an identity's pods (and of its service).
enum class PortSet : uint8_t {
  Unnamed,         // one unnamed port
  Http,            // "http"
  HttpAndMetrics,  // "http" and "metrics"
};

struct Identity {
  uint32_t number = 0;  // the numeric identity: cluster id * 65536 + 256..65535
  std::string labels;   // the canonical label string, the master key's value
  std::string app;      // the pods' app label (and the service's name)
  int namespace_index = 0;
  std::string service_account;
  PortSet ports = PortSet::Unnamed;
  std::string replicaset_hash;  // pod-template-hash, part of the pods' names
};

// Seeded values an identity's optional properties are picked from (see IdentityTable::add).
struct IdentityChoices {
  uint64_t service_account = 0;
  uint64_t ports = 0;
  uint64_t replicaset_hash = 0;
  uint64_t labels = 0;
};

class IdentityTable {
 public:
  // The base state's identities (layout.identities of them).
  IdentityTable(const Layout& layout, const GenOptions& options);

  int size() const { return static_cast<int>(identities_.size()); }
  const Identity& operator[](int identity) const { return identities_[identity]; }

  // Base identity i is in namespace i % namespace_count(), so consecutive identities are in
  // different namespaces.
  int namespace_count() const { return static_cast<int>(namespaces_.size()); }
  const std::string& namespace_of(int identity) const { return namespaces_[identities_[identity].namespace_index]; }

  // Appends an identity (index size()): its number follows from the index, the rest from `app`,
  // the namespace and the choices.
  void add(std::string app, int namespace_index, const IdentityChoices& choices);

  // After the last add(): the key orders below.
  void sort_key_orders();
  // Identities sorted by the decimal text of their number: the order of the id/ keys.
  const std::vector<int>& in_number_order() const { return in_number_order_; }
  // Identities sorted by label string + "/": the order of the value/ keys.
  const std::vector<int>& in_label_order() const { return in_label_order_; }

  // How many slave keys the base identities before this one have (in revision order the slave
  // keys go identity by identity).
  int64_t slave_keys_before(int identity) const { return slave_keys_before_[identity]; }

  // Appends the name of the identity's pod number `index`: "<app>-<replicaset hash>-<5
  // characters>".
  void append_pod_name(std::string& out, int identity, uint64_t index) const;

 private:
  std::string label_string(const std::string& app, const std::string& namespace_name,
                           const std::string& service_account, uint64_t choice) const;

  uint64_t seed_;
  uint32_t first_number_;
  std::string cluster_name_;
  int cilium_minor_;
  std::vector<std::string> namespaces_;
  std::vector<Identity> identities_;
  std::vector<int> in_number_order_;
  std::vector<int> in_label_order_;
  std::vector<int64_t> slave_keys_before_;
};

}  // namespace kvsnap::gen
