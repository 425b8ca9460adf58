// The identity table (identities.h): what each identity's pods look like and the label strings
// Cilium's allocator keys hold.
#include "gen/identities.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <numeric>
#include <string_view>
#include <utility>

#include "gen/seeded.h"

namespace kvsnap::gen {

namespace {

const char* const kNamespaceWords[] = {"default",   "payments",   "checkout", "catalog",       "frontend",
                                       "search",    "auth",       "billing",  "shipping",      "inventory",
                                       "analytics", "monitoring", "logging",  "ingress",       "data",
                                       "ml",        "orders",     "users",    "notifications", "reporting"};
const char* const kAppWords[] = {"api",         "web",      "worker",   "cache",    "db",      "queue", "gateway",
                                 "scheduler",   "indexer",  "exporter", "proxy",    "backend", "ui",    "cron",
                                 "consumer",    "producer", "redis",    "postgres", "kafka",   "nginx", "echo",
                                 "grpc-server", "metrics",  "sync",     "admin"};
const char* const kTiers[] = {"frontend", "backend", "cache"};
// Kubernetes' rand.SafeEncodeString alphabet (pod-template-hash and pod name suffixes).
constexpr std::string_view kK8sAlphabet = "bcdfghjklmnpqrstvwxz2456789";

// "word", then "word-1", "word-2", ... once the words are used up. (Appended piece by piece:
// `"-" + std::to_string(...)` makes GCC 12 -O3 warn a false -Wrestrict.)
std::string numbered_word(const char* const* words, int word_count, int index) {
  std::string word = words[index % word_count];
  if (index >= word_count) {
    word += '-';
    word += std::to_string(index / word_count);
  }
  return word;
}

std::string replicaset_hash(uint64_t choice) {
  std::string s;
  for (int c = 0; c < 10; ++c) {
    s.push_back(kK8sAlphabet[choice % kK8sAlphabet.size()]);
    choice /= kK8sAlphabet.size();
  }
  return s;
}

std::string_view number_text(uint32_t number, char (&buffer)[16]) {
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
  return std::string_view(buffer, static_cast<size_t>(end - buffer));
}

}  // namespace

IdentityTable::IdentityTable(const Layout& layout, const GenOptions& options)
    : seed_(options.seed),
      first_number_(options.cluster_id * 65536u + 256u),
      cluster_name_(options.cluster_name),
      cilium_minor_(layout.cilium_minor) {
  // About twelve identities per namespace.
  namespaces_.resize(std::max(1, (layout.identities + 11) / 12));
  const int namespace_words = static_cast<int>(std::size(kNamespaceWords));
  for (int i = 0; i < namespace_count(); ++i) namespaces_[i] = numbered_word(kNamespaceWords, namespace_words, i);

  identities_.reserve(layout.identities);
  const int app_words = static_cast<int>(std::size(kAppWords));
  for (int identity = 0; identity < layout.identities; ++identity) {
    IdentityChoices choices;
    choices.service_account = seeded_hash(seed_, Purpose::ServiceAccount, identity);
    choices.ports = seeded_hash(seed_, Purpose::NamedPorts, identity);
    choices.replicaset_hash = seeded_hash(seed_, Purpose::ReplicaSetHash, identity);
    choices.labels = seeded_hash(seed_, Purpose::IdentityLabels, identity);
    add(numbered_word(kAppWords, app_words, identity / namespace_count()), identity % namespace_count(), choices);
  }

  slave_keys_before_.resize(layout.identities + 1);
  slave_keys_before_[0] = 0;
  for (int identity = 0; identity < layout.identities; ++identity)
    slave_keys_before_[identity + 1] = slave_keys_before_[identity] + layout.nodes_of(identity);
}

void IdentityTable::add(std::string app, int namespace_index, const IdentityChoices& choices) {
  const int index = size();
  Identity identity;
  // A seeded permutation of the cluster's range: distinct by construction.
  identity.number =
      first_number_ + static_cast<uint32_t>(permute(index, kIdentityRange, seed_, Purpose::IdentityNumber));
  identity.app = std::move(app);
  identity.namespace_index = namespace_index;
  identity.service_account = choices.service_account % 3 == 0 ? "default" : identity.app;
  const uint64_t ports = choices.ports % 10;
  identity.ports = ports == 0 ? PortSet::Unnamed : (ports <= 2 ? PortSet::HttpAndMetrics : PortSet::Http);
  identity.replicaset_hash = replicaset_hash(choices.replicaset_hash);
  identity.labels = label_string(identity.app, namespaces_[namespace_index], identity.service_account, choices.labels);
  identities_.push_back(std::move(identity));
}

// Identity labels as Cilium's kvstore key holds them (LabelArray.Sort(): by key, byte-wise).
std::string IdentityTable::label_string(const std::string& app, const std::string& namespace_name,
                                        const std::string& service_account, uint64_t choice) const {
  // One list for the labels every identity has (emplace_back one by one made GCC 12 -O3 warn a
  // false -Warray-bounds inside the vector's regrowth).
  std::vector<std::pair<std::string, std::string>> labels = {{"app", app},
                                                             {"io.cilium.k8s.policy.cluster", cluster_name_},
                                                             {"io.cilium.k8s.policy.serviceaccount", service_account},
                                                             {"io.kubernetes.pod.namespace", namespace_name}};
  if (cilium_minor_ >= 11)  // Kubernetes >= 1.21 adds kubernetes.io/metadata.name to namespaces
    labels.emplace_back("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", namespace_name);
  if (choice % 3 == 0) labels.emplace_back("app.kubernetes.io/part-of", namespace_name);
  if ((choice >> 8) % 4 == 0) {
    std::string version = "v";  // "v1".."v3", appended (see numbered_word)
    version += std::to_string(1 + (choice >> 16) % 3);
    labels.emplace_back("version", std::move(version));
  }
  if ((choice >> 24) % 5 == 0) labels.emplace_back("tier", kTiers[(choice >> 32) % 3]);
  std::sort(labels.begin(), labels.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string text;
  for (const auto& [key, value] : labels) {
    text += "k8s:";
    text += key;
    text += '=';
    text += value;
    text += ';';
  }
  return text;
}

void IdentityTable::sort_key_orders() {
  in_number_order_.resize(identities_.size());
  std::iota(in_number_order_.begin(), in_number_order_.end(), 0);
  std::sort(in_number_order_.begin(), in_number_order_.end(), [&](int x, int y) {
    char text_x[16], text_y[16];
    return number_text(identities_[x].number, text_x) < number_text(identities_[y].number, text_y);
  });
  // value/<labels>/<ip>: order by labels + "/" (a label string that is a prefix of another
  // sorts before it in the full key too, because '/' < any label source character).
  in_label_order_.resize(identities_.size());
  std::iota(in_label_order_.begin(), in_label_order_.end(), 0);
  std::sort(in_label_order_.begin(), in_label_order_.end(), [&](int x, int y) {
    const std::string& labels_x = identities_[x].labels;
    const std::string& labels_y = identities_[y].labels;
    const size_t common = std::min(labels_x.size(), labels_y.size());
    const int c = labels_x.compare(0, common, labels_y, 0, common);
    if (c != 0) return c < 0;
    if (labels_x.size() == labels_y.size()) return false;
    // the shorter one continues with '/', the longer with its next byte
    return labels_x.size() < labels_y.size() ? '/' < labels_y[common] : labels_x[common] < '/';
  });
}

void IdentityTable::append_pod_name(std::string& out, int identity, uint64_t index) const {
  out += identities_[identity].app;
  out += '-';
  out += identities_[identity].replicaset_hash;
  out += '-';
  // A bijection of the index onto 5 characters (27^5 = 3^15 and 7919 is not a multiple of 3).
  uint64_t rest = (index * 7919 + seeded_hash(seed_, Purpose::PodName, identity)) % 14348907ULL;
  char suffix[5];
  for (int c = 4; c >= 0; --c) {
    suffix[c] = kK8sAlphabet[rest % 27];
    rest /= 27;
  }
  out.append(suffix, 5);
}

}  // namespace kvsnap::gen
