#include "query/query.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "store/embedded.h"
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

void prepare_query_connection(Db& db, int64_t snapshot_id) { register_sql_functions(db, snapshot_id); }

std::vector<Section> run_readonly(Db& db, const std::string& sql, const std::map<std::string, std::string>& params) {
  // One statement at a time: each is prepared, refused before it runs if it would write, then run
  // (ATTACH must have run before a statement naming the attached database can be prepared).
  std::vector<Section> out;
  const char* tail = sql.c_str();
  const char* end = sql.c_str() + sql.size();
  bool any = false;
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* next = nullptr;
    if (sqlite3_prepare_v2(db.get(), tail, int(end - tail), &raw, &next) != SQLITE_OK)
      throw UsageError(fmt::format("SQL error: {}", sqlite3_errmsg(db.get())));
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

std::vector<TableDoc> describe_schema(Db& db) {
  // Meanings come from the comments of schema.sql and views.sql: the comment lines before a
  // CREATE, and the "-- ..." after each column.
  std::map<std::string, TableDoc> docs;
  for (const char* file : {"schema.sql", "views.sql"}) {
    std::string pending;
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
        pending.clear();
        current = view ? nullptr : &d;
        continue;
      }
      if (line.rfind("--", 0) == 0) {
        if (!current) pending += (pending.empty() ? "" : " ") + trim(std::string_view(line).substr(2));
        continue;
      }
      if (line.empty() || line.rfind("CREATE INDEX", 0) == 0 || line.rfind("DROP VIEW", 0) == 0) {
        if (line.empty() && !current) pending.clear();
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
