#pragma once
// Entity diff of two snapshots. Each entity type is a SQL file (schema/entities/*.sql) that lists
// a snapshot's entities sorted by id, as (id, fields JSON, meta JSON); the differ merge-joins the
// two sorted streams, so neither snapshot is held in memory, and compares fields one by one.
#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "check/checks.h"
#include "store/db.h"

namespace kvsnap {

struct EntityDef {
  std::string name, description, sql;
  std::string moved_by;  // a field that identifies the same thing under a new id (identity: labels)
};
std::vector<EntityDef> builtin_entities();

struct FieldChange {
  std::string field;
  boost::json::value old_value, new_value;  // null when absent
};

struct Change {
  std::string entity, id;
  std::string change;  // added, removed, changed, moved
  std::vector<FieldChange> fields;
};

struct ChangeCounts {
  int64_t added = 0, removed = 0, changed = 0, moved = 0;
};

struct DiffOptions {
  std::vector<std::string> entities;  // empty: all
  bool include_metadata = false;      // also compare revisions and leases
};

struct SnapshotRef {
  Db* db = nullptr;
  int64_t id = 0;
};

struct DiffResult {
  std::vector<Change> changes;  // by entity (definition order), then id
  std::vector<std::pair<std::string, ChangeCounts>> counts;  // in entity definition order
  bool differs() const { return !changes.empty(); }
};

DiffResult diff_snapshots(const SnapshotRef& old_s, const SnapshotRef& new_s, const DiffOptions& opts);

struct FindingDiff {
  std::vector<Finding> added, resolved;  // new in NEW; in OLD but gone from NEW
};
// Runs every built-in check on both snapshots and compares the findings (check, message, keys).
FindingDiff diff_findings(const SnapshotRef& old_s, const SnapshotRef& new_s);

}  // namespace kvsnap
