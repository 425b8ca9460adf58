#pragma once
// kvquery's engine: read-only SQL over a kvsnap database, saved queries (schema/queries/*.sql,
// compiled in) with named parameters, and the schema described from schema/*.sql comments.
#include <map>
#include <set>
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

// What an unqualified table name means in SQL run on a query connection (docs/database.md,
// "Snapshot-scoped SQL"). Every table and view of the database with a snapshot_id column, and
// `snapshot` itself, can be shadowed by a TEMP view of the same name (SQLite looks names up in
// temp before main); main.NAME always reaches the table itself, with every snapshot's rows.
enum class SnapshotScope {
  None,      // no TEMP views: names mean the database's tables (saved queries filter by current_snapshot())
  Snapshot,  // TEMP views holding current_snapshot()'s rows only (`snapshot`: its one row)
  Watched,   // TEMP views holding every snapshot's rows, so that run_readonly can tell which
             // statements read them unqualified (`snapshot` is not shadowed: it lists them all)
};

// Registers current_snapshot() (returns `snapshot_id`) and kvsnap's other SQL functions, and
// creates the TEMP views of `scope` through this connection (a read-only one may create them).
// SQLite inlines such views, so a query on one uses the table's indexes as the same query on the
// table with "snapshot_id = N" added would.
void prepare_query_connection(Db& db, int64_t snapshot_id, SnapshotScope scope = SnapshotScope::None);

// Runs every statement of `sql`, refusing (UsageError, before running anything) any statement that
// would write (also one that SQLite refuses only because a TEMP view shadows the table it writes).
// `params` bind :NAME parameters (integers when they look like one); a missing parameter is a
// UsageError naming it. Returns one section per statement that returns columns (column names
// made unique: a json row never holds a key twice). With `unqualified_reads`, the names of the
// TEMP views (SnapshotScope::Watched) that the statements read are added to it; with `reads`, the
// name of every table and view they read.
std::vector<Section> run_readonly(Db& db, const std::string& sql, const std::map<std::string, std::string>& params,
                                  std::set<std::string>* unqualified_reads = nullptr,
                                  std::set<std::string>* reads = nullptr);

struct ColumnDoc {
  std::string name, type, meaning;
};
struct TableDoc {
  std::string name, kind, meaning;  // kind: table or view
  std::vector<ColumnDoc> columns;
};
// Every table and view of the schema this kvsnap writes (compiled in: no database is opened) with
// its columns and a one-line meaning, from the schema's comments.
std::vector<TableDoc> describe_schema();

}  // namespace kvsnap
