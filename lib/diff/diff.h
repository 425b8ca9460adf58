#pragma once
// Entity diff of two snapshots. Each entity type is a SQL file (schema/entities/*.sql) that lists
// a snapshot's entities sorted by id, as (id, fields JSON, meta JSON, label); the differ merge-joins
// the two sorted streams, so neither snapshot is held in memory, and compares fields one by one.
#include <boost/json.hpp>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "check/checks.h"
#include "store/db.h"

namespace kvsnap {

struct EntityDef {
  std::string name, description, sql;
  std::string moved_by;                 // a field that identifies the same thing under a new id (identity: labels)
  std::vector<std::string> label_sets;  // fields holding a Cilium label string ("k8s:a=b;k8s:c=d;")
};
std::vector<EntityDef> builtin_entities();

struct FieldChange {
  std::string field;
  boost::json::value old_value, new_value;  // null when absent
  // What changed inside a list or set, so that a long value need not be shown twice. Filled when
  // both values are arrays (elements compared by value, as a multiset: the elements of new_value
  // not in old_value, and the other way round), both label strings of a field in the entity's
  // label_sets (each element one label as written, e.g. "k8s:version=v4"), or both objects (each
  // element a one-member object {name: value} whose value is new or different). Both empty
  // otherwise, and for added, removed and moved entities.
  std::vector<boost::json::value> added, removed;
};

struct Change {
  std::string entity, id;
  std::string change;  // added, removed, changed, moved
  std::vector<FieldChange> fields;
  // What the entity is, in a few words a person recognises (the label column of its SQL: an
  // ipcache entry's pod, identity and node; a node's addresses and CIDRs; ...). Of the new state,
  // but of the old one for a removed entity.
  std::string label;
};

struct ChangeCounts {
  int64_t added = 0, removed = 0, changed = 0, moved = 0;
};

struct DiffOptions {
  std::vector<std::string> entities;  // empty: all
  bool include_metadata = false;      // also compare revisions and leases
  // Non-negative when nothing else uses the snapshots' first reader connections (Db::reader(0))
  // meanwhile (kvdiff --no-findings): a second thread then works on them. It compares the upper
  // half of the keys when they are not compared by digest and OLD has more keys than this, and
  // shares the entities' reads and comparisons when more than a thousand keys differ on a side
  // (and at most 50,000). Negative: never.
  int64_t split_key_merge_above = -1;
  // Compare rows by their kv_digest when both snapshots list their keys in order and metadata is
  // not compared; false: always read every key and value (the tests compare the two ways).
  bool by_digest = true;
};

struct SnapshotRef {
  Db* db = nullptr;
  int64_t id = 0;
};

struct DiffResult {
  std::vector<Change> changes;                               // by entity (definition order), then id
  std::vector<std::pair<std::string, ChangeCounts>> counts;  // in entity definition order
  bool differs() const { return !changes.empty(); }
};

DiffResult diff_snapshots(const SnapshotRef& old_s, const SnapshotRef& new_s, const DiffOptions& opts);

struct FindingDiff {
  std::vector<Finding> added, resolved;  // new in NEW; in OLD but gone from NEW
};
// Runs every built-in check on both snapshots and compares the findings (check, message, keys);
// with `baseline` (OLD attached to NEW's connections as `old`: check/baseline.h) the checks that
// compare two snapshots also run on NEW, and what they find is new.
FindingDiff diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s,
                          const std::optional<CheckContext::Baseline>& baseline);
// The same, started on the snapshots' read-only connections beside the caller, who may go on using
// the main connections (kvdiff compares the keys meanwhile); get() waits for the delta.
std::future<FindingDiff> start_diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s,
                                             const std::optional<CheckContext::Baseline>& baseline);

}  // namespace kvsnap
