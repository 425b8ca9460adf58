// The public face of the generator (cluster.h): builds a Model from the options and answers
// from it; the work is in the files model.h lists.
#include "gen/cluster.h"

#include <stdexcept>
#include <utility>

#include "gen/codec.h"
#include "gen/keys.h"
#include "gen/model.h"

namespace kvsnap::gen {

Model::Model(GenOptions options_in)
    : options(std::move(options_in)),
      layout(make_layout(options)),
      endpoints(layout, options.seed),
      nodes(layout, options),
      identities(layout, options),
      services(layout, identities),
      summary(layout.summary) {
  if (options.change_fraction > 0) plan_changes(*this);
  identities.sort_key_orders();
}

Cluster::Cluster(GenOptions options) : model_(std::make_unique<const Model>(std::move(options))) {}

Cluster::~Cluster() = default;

const GenOptions& Cluster::options() const { return model_->options; }
const GenSummary& Cluster::summary() const { return model_->summary; }

void Cluster::generate(Order order, const std::function<void(const GenKey&)>& sink) const {
  stream_keys(*model_, order, sink);
}

NodeInfo Cluster::node(int index) const {
  const Layout& layout = model_->layout;
  if (index < 0 || index >= layout.nodes) throw std::out_of_range("node index");
  NodeInfo info;
  info.name = model_->nodes.name(index);
  info.internal_ip = model_->nodes.internal_ip(index);
  info.router_ip = ipv4_text(layout.pod_cidr(index) + 1);
  info.health_ip = ipv4_text(model_->endpoints.health_address(index));
  info.pod_cidr = layout.pod_cidr(index);
  info.pod_cidr_len = 32 - layout.pod_cidr_host_bits;
  return info;
}

std::string Cluster::identity_labels(int index) const {
  if (index < 0 || index >= model_->identities.size()) throw std::out_of_range("identity index");
  return model_->identities[index].labels;
}

uint32_t Cluster::identity_id(int index) const {
  if (index < 0 || index >= model_->identities.size()) throw std::out_of_range("identity index");
  return model_->identities[index].number;
}

GenSummary summarize(const GenOptions& options) {
  if (options.change_fraction > 0) return Cluster(options).summary();
  return make_layout(options).summary;
}

KeyChanges ChangeSummary::total() const {
  KeyChanges sum;
  for (const KeyChanges* entity : {&node, &identity, &identity_ref, &ipcache, &service, &key}) {
    sum.added += entity->added;
    sum.removed += entity->removed;
    sum.changed += entity->changed;
  }
  return sum;
}

}  // namespace kvsnap::gen
