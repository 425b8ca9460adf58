#include "query/query.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "store/embedded.h"
#include "store/schema.h"
#include "store/sql_functions.h"
#include "util/codec.h"
#include "util/error.h"
#include "util/sql_header.h"
#include "util/text.h"

namespace kvsnap {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (pos < text.size()) out.push_back(text.substr(pos));
      break;
    }
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

Value read_cell(sqlite3_stmt* s, int c) {
  switch (sqlite3_column_type(s, c)) {
    case SQLITE_INTEGER: return Value::integer(sqlite3_column_int64(s, c));
    case SQLITE_FLOAT: return Value::real(sqlite3_column_double(s, c));
    case SQLITE_TEXT:
      return Value::text(
          std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, c)), size_t(sqlite3_column_bytes(s, c))));
    case SQLITE_BLOB: {
      const void* p = sqlite3_column_blob(s, c);
      return Value::blob(std::string(p ? static_cast<const char*>(p) : "", size_t(sqlite3_column_bytes(s, c))));
    }
    default: return Value::null();
  }
}

}  // namespace

namespace {

// The header of a saved query (util/sql_header.h): "-- param: NAME what it is", one per parameter.
constexpr SqlHeaderField kQueryHeader[] = {
    {"description", true, false, true},
    {"param", false, true, true},
};

}  // namespace

SavedQuery parse_saved_query(const std::string& name, const std::string& origin, std::string_view text) {
  SqlFile f = parse_sql_file(origin, text, kQueryHeader);
  SavedQuery q;
  q.name = name;
  q.description = f.value("description");
  for (const SqlHeaderValue* p : f.all("param")) {
    auto sp = p->value.find(' ');
    q.params.push_back(
        {p->value.substr(0, sp), sp == std::string::npos ? "" : trim(std::string_view(p->value).substr(sp))});
  }
  q.sql = std::move(f.body);
  return q;
}

std::vector<SavedQuery> builtin_queries() {
  std::vector<SavedQuery> out;
  for (const EmbeddedFile* f = embedded_files(); f->path; ++f) {
    std::string_view p = f->path;
    if (p.rfind("queries/", 0) != 0 || p.size() < 13 || p.substr(p.size() - 4) != ".sql") continue;
    std::string name(p.substr(8, p.size() - 12));
    out.push_back(parse_saved_query(name, std::string("built-in ") + f->path, std::string_view(f->data, f->size)));
  }
  std::sort(out.begin(), out.end(), [](const SavedQuery& a, const SavedQuery& b) { return a.name < b.name; });
  return out;
}

namespace {

// The tables and views of the main database that hold rows of several snapshots.
std::vector<std::string> snapshot_tables(Db& db) {
  std::vector<std::string> out;
  Stmt s = db.prepare(
      "SELECT m.name FROM main.sqlite_master m WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' "
      "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main') c WHERE c.name = 'snapshot_id') ORDER BY m.name");
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::string quoted_name(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The first statement of `text` when it would write, asked of a connection without TEMP views:
// SQLite refuses a write to a view ("cannot modify kv because it is a view", "views may not be
// indexed") before sqlite3_stmt_readonly could say that the statement writes.
std::optional<std::string> writes_without_temp_views(Db& db, std::string_view text) {
  if (db.query_int("SELECT count(*) FROM temp.sqlite_master WHERE type = 'view'") == 0) return std::nullopt;
  Db& plain = db.reader(0);
  register_sql_functions(plain, db.query_int("SELECT current_snapshot()"));
  sqlite3_stmt* raw = nullptr;
  const char* next = nullptr;
  int rc = sqlite3_prepare_v2(plain.get(), text.data(), int(text.size()), &raw, &next);
  Stmt s = Stmt::adopt(plain.get(), raw);
  if (rc != SQLITE_OK || !raw || sqlite3_stmt_readonly(raw)) return std::nullopt;
  return trim(std::string_view(text.data(), size_t(next - text.data())));
}

// Notes the TEMP views (SnapshotScope::Watched) a statement reads while it is prepared: a column
// of the view itself (database "temp"), or a column of the table read through the view of its
// name (the innermost view is named like the table). main.NAME is neither.
// Also notes every table and view read at all (`read`), for kvquery's notes about what a snapshot
// does not hold.
struct ReadWatch {
  std::set<std::string> views;
  std::set<std::string>* seen = nullptr;
  std::set<std::string>* read = nullptr;
};

int watch_reads(void* p, int action, const char* table, const char*, const char* database, const char* inner) {
  auto* w = static_cast<ReadWatch*>(p);
  if (action != SQLITE_READ || !table) return SQLITE_OK;
  if (w->read) {
    w->read->insert(table);
    if (inner) w->read->insert(inner);
  }
  if (!w->seen || !w->views.count(table)) return SQLITE_OK;
  if ((database && std::string_view(database) == "temp") || (inner && std::string_view(inner) == table))
    w->seen->insert(table);
  return SQLITE_OK;
}

// Sets the authorizer for its lifetime.
class Authorizer {
 public:
  Authorizer(Db& db, ReadWatch* watch) : db_(db), on_(watch != nullptr) {
    if (on_) sqlite3_set_authorizer(db_.get(), watch_reads, watch);
  }
  ~Authorizer() {
    if (on_) sqlite3_set_authorizer(db_.get(), nullptr, nullptr);
  }
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

 private:
  Db& db_;
  bool on_;
};

}  // namespace

void prepare_query_connection(Db& db, int64_t snapshot_id, SnapshotScope scope) {
  register_sql_functions(db, snapshot_id);
  if (scope == SnapshotScope::None) return;
  // The views are written literally (snapshot_id = 3): the planner then sees the same constant it
  // sees in "WHERE snapshot_id = 3" and uses the same (snapshot_id, ...) index.
  std::string where = scope == SnapshotScope::Snapshot ? fmt::format(" WHERE snapshot_id = {}", snapshot_id) : "";
  std::string sql = "BEGIN;\n";
  for (const auto& t : snapshot_tables(db))
    sql += fmt::format("CREATE TEMP VIEW {0} AS SELECT * FROM main.{0}{1};\n", quoted_name(t), where);
  if (scope == SnapshotScope::Snapshot)
    sql += fmt::format("CREATE TEMP VIEW snapshot AS SELECT * FROM main.snapshot WHERE id = {};\n", snapshot_id);
  db.exec(sql + "COMMIT;");
}

std::vector<Section> run_readonly(Db& db, const std::string& sql, const std::map<std::string, std::string>& params,
                                  std::set<std::string>* unqualified_reads, std::set<std::string>* reads) {
  std::optional<ReadWatch> watch;
  if (unqualified_reads || reads) {
    watch.emplace();
    watch->seen = unqualified_reads;
    watch->read = reads;
  }
  if (unqualified_reads) {
    Stmt views = db.prepare("SELECT name FROM temp.sqlite_master WHERE type = 'view'");
    while (views.step()) watch->views.insert(views.text(0));
  }
  Authorizer authorizer(db, watch ? &*watch : nullptr);
  // One statement at a time: each is prepared, refused before it runs if it would write, then run
  // (ATTACH must have run before a statement naming the attached database can be prepared).
  std::vector<Section> out;
  const char* tail = sql.c_str();
  const char* end = sql.c_str() + sql.size();
  bool any = false;
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* next = nullptr;
    if (sqlite3_prepare_v2(db.get(), tail, int(end - tail), &raw, &next) != SQLITE_OK) {
      std::string error = sqlite3_errmsg(db.get());
      if (auto writing = writes_without_temp_views(db, std::string_view(tail, size_t(end - tail))))
        throw UsageError(fmt::format("kvquery is read-only: this statement would change the database: {}", *writing));
      throw UsageError(fmt::format("SQL error: {}", error));
    }
    std::string text(tail, size_t(next - tail));
    tail = next;
    if (!raw) continue;  // whitespace or a comment
    any = true;
    Stmt s = Stmt::adopt(db.get(), raw);
    if (!sqlite3_stmt_readonly(raw))
      throw UsageError(fmt::format("kvquery is read-only: this statement would change the database: {}", trim(text)));
    for (int i = 1; i <= sqlite3_bind_parameter_count(raw); ++i) {
      const char* n = sqlite3_bind_parameter_name(raw, i);
      if (!n) throw UsageError("positional parameters (?) are not supported; use :name and -p name=value");
      std::string name = n + 1;
      auto it = params.find(name);
      if (it == params.end())
        throw UsageError(fmt::format("parameter :{} has no value (give -p {}=VALUE)", name, name));
      if (auto iv = parse_i64(it->second))
        s.bind(i, *iv);
      else
        s.bind_text(i, it->second);
    }
    Section rs;
    rs.id = fmt::format("result/{}", out.size() + 1);
    rs.title = trim(text);
    for (int c = 0; c < sqlite3_column_count(raw); ++c) rs.columns.push_back({sqlite3_column_name(raw, c), ""});
    make_column_names_unique(rs);
    try {
      while (s.step()) {
        std::vector<Value> row;
        for (int c = 0; c < sqlite3_column_count(raw); ++c) row.push_back(read_cell(raw, c));
        rs.rows.push_back(std::move(row));
      }
    } catch (const DbError& e) {
      throw UsageError(fmt::format("SQL error: {}", e.what()));
    }
    if (!rs.columns.empty()) out.push_back(std::move(rs));
  }
  if (!any) throw UsageError("no SQL statement given");
  return out;
}

std::vector<TableDoc> describe_schema() {
  // The tables as this kvsnap creates them, in memory: every database kvquery reads has exactly
  // this schema (store/schema.h refuses any other), so none needs to be opened.
  Db db(":memory:", Db::Mode::Create);
  ensure_schema(db, ":memory:");
  // Meanings come from the comments of schema.sql and views.sql: the comment lines before a
  // CREATE, and the "-- ..." after each column. A view's comment line "-- columns: TABLE" gives
  // its columns the meanings of TABLE's columns of the same name.
  std::map<std::string, TableDoc> docs;
  std::map<std::string, std::string> columns_from;  // view -> table
  for (const char* file : {"schema.sql", "views.sql"}) {
    std::string pending, pending_from;
    TableDoc* current = nullptr;
    for (auto raw : lines_of(embedded_file(file))) {
      std::string line = trim(raw);
      if (line.rfind("CREATE TABLE IF NOT EXISTS ", 0) == 0 || line.rfind("CREATE VIEW ", 0) == 0) {
        bool view = line.rfind("CREATE VIEW ", 0) == 0;
        std::string rest = line.substr(view ? 12 : 27);
        std::string name = rest.substr(0, rest.find_first_of(" ("));
        TableDoc& d = docs[name];
        d.name = name;
        d.kind = view ? "view" : "table";
        d.meaning = pending;
        if (!pending_from.empty()) columns_from[name] = pending_from;
        pending.clear();
        pending_from.clear();
        current = view ? nullptr : &d;
        continue;
      }
      if (line.rfind("--", 0) == 0) {
        std::string text = trim(std::string_view(line).substr(2));
        if (!current && text.rfind("columns: ", 0) == 0)
          pending_from = trim(std::string_view(text).substr(9));
        else if (!current)
          pending += (pending.empty() ? "" : " ") + text;
        continue;
      }
      if (line.empty() || line.rfind("CREATE INDEX", 0) == 0 || line.rfind("DROP VIEW", 0) == 0) {
        if (line.empty() && !current) pending.clear(), pending_from.clear();
        continue;
      }
      if (current) {
        if (line.rfind(")", 0) == 0) {
          current = nullptr;
          continue;
        }
        auto dash = line.find("--");
        std::string def = trim(std::string_view(line).substr(0, dash));
        std::string col = def.substr(0, def.find(' '));
        if (!col.empty() && col != "PRIMARY" && col != "UNIQUE")
          current->columns.push_back(
              {col, "", dash == std::string::npos ? "" : trim(std::string_view(line).substr(dash + 2))});
      }
    }
  }
  std::vector<TableDoc> out;
  Stmt objects = db.prepare(
      "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY "
      "type, name");
  while (objects.step()) {
    std::string name = objects.text(0);
    TableDoc d = docs.count(name) ? docs[name] : TableDoc{name, objects.text(1), "", {}};
    std::map<std::string, std::string> meaning;
    for (const auto& c : d.columns) meaning[c.name] = c.meaning;
    if (columns_from.count(name) && docs.count(columns_from[name]))
      for (const auto& c : docs[columns_from[name]].columns) meaning.emplace(c.name, c.meaning);
    d.columns.clear();
    Stmt cols = db.prepare(fmt::format("SELECT name, type FROM pragma_table_info('{}')", name));
    while (cols.step()) {
      std::string col = cols.text(0), m = meaning[col];
      if (m.empty() && col == "snapshot_id") m = "the snapshot the row belongs to (snapshot.id)";
      if (m.empty() && col == "kv_id") m = "the etcd key the row was decoded from (kv.id)";
      d.columns.push_back({col, cols.text(1), m});
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace kvsnap
