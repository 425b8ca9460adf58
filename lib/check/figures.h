#pragma once
// The pictures of kvcheck's html page, drawn from the database as inline SVG (render/svg.h):
// the pod CIDR map of each address family (overlaps and stray endpoint IPs marked), identities
// per namespace and per cluster-ID range, endpoints per node. Each aggregates (top N, bins), so
// a million-key snapshot still gives a page of a few hundred kB.
#include <vector>

#include "check/report.h"
#include "render/document.h"
#include "store/db.h"

namespace kvsnap {

std::vector<Figure> check_figures(Db& db, const CheckReport& r);

}  // namespace kvsnap
