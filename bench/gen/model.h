#pragma once
// Everything a cluster's keys are computed from, built once per Cluster (cluster.cpp): the
// options, the layout that follows from them, the tables of nodes, identities and services, and
// with change_fraction > 0 the changes of the later state.
#include "gen/changes.h"
#include "gen/cluster.h"
#include "gen/endpoints.h"
#include "gen/identities.h"
#include "gen/layout.h"
#include "gen/nodes.h"
#include "gen/services.h"

namespace kvsnap::gen {

struct Model {
  // Throws std::invalid_argument like make_layout().
  explicit Model(GenOptions options);
  // The tables refer to the layout: a Model stays where it was built.
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const GenOptions options;
  const Layout layout;
  const Endpoints endpoints;
  const NodeTable nodes;
  IdentityTable identities;  // the later state's new identities are added when changes are planned
  const ServiceTable services;
  ChangeSet changes;   // inactive with change_fraction 0
  GenSummary summary;  // of the state generated
};

}  // namespace kvsnap::gen
