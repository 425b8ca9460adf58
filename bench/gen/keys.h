#pragma once
// Streams a model's keys: names them, gives them their values (values.h), revisions and leases,
// in revision order or in etcd's byte-wise key order.
#include <functional>

#include "gen/cluster.h"

namespace kvsnap::gen {

struct Model;

void stream_keys(const Model& model, Order order, const std::function<void(const GenKey&)>& sink);

}  // namespace kvsnap::gen
