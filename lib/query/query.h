#pragma once
// kvquery's engine: read-only SQL over a kvsnap database, saved queries (schema/queries/*.sql,
// compiled in) with named parameters, and the schema described from schema/*.sql comments.
#include <map>
#include <string>
#include <vector>

#include "render/document.h"
#include "store/db.h"

namespace kvsnap {

struct QueryParam {
  std::string name, description;
};

struct SavedQuery {
  std::string name, description;
  std::vector<QueryParam> params;
  std::string sql;
};

// Parses a saved query file read from `origin` (its header: util/sql_header.h); throws InputError
// naming the file and line when the header is wrong.
SavedQuery parse_saved_query(const std::string& name, const std::string& origin, std::string_view text);
std::vector<SavedQuery> builtin_queries();

// Registers current_snapshot() (returns `snapshot_id`) and kvsnap's other SQL functions.
void prepare_query_connection(Db& db, int64_t snapshot_id);

// Runs every statement of `sql`, refusing (UsageError, before running anything) any statement that
// would write. `params` bind :NAME parameters (integers when they look like one); a missing
// parameter is a UsageError naming it. Returns one section per statement that returns columns
// (column names made unique: a json row never holds a key twice).
std::vector<Section> run_readonly(Db& db, const std::string& sql, const std::map<std::string, std::string>& params);

struct ColumnDoc {
  std::string name, type, meaning;
};
struct TableDoc {
  std::string name, kind, meaning;  // kind: table or view
  std::vector<ColumnDoc> columns;
};
// Every table and view with its columns and a one-line meaning, from the schema's comments.
std::vector<TableDoc> describe_schema(Db& db);

}  // namespace kvsnap
