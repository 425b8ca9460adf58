#include "store/schema.h"

#include <fmt/format.h>

#include "store/embedded.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/version.h"

namespace kvsnap {

namespace {
// Bump with every change of schema/schema.sql or schema/views.sql that a release carries.
// 6: no migrations; the kvsnap_schema row.
// 7: kv found by key_hash (no index of the keys), key_layout, label_set, snapshot key order.
// 8: kv_digest.
constexpr int kSchemaVersion = 8;

std::string reimport_advice(const std::string& path) {
  return fmt::format("import the inputs again with this kvsnap (kvimport -d NEW.db INPUT...; {} is left as it is)",
                     path);
}
}  // namespace

int kvsnap_schema_version() { return kSchemaVersion; }

const std::string& kvsnap_schema_fingerprint() {
  static const std::string fingerprint = [] {
    std::string text(embedded_file("schema.sql"));
    text += '\0';
    text += embedded_file("views.sql");
    auto digest = sha256(text);
    std::string hex;
    for (size_t i = 0; i < 8; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
  }();
  return fingerprint;
}

void check_schema(Db& db, const std::string& path) {
  int64_t version = db.query_int("PRAGMA user_version");
  if (version > kSchemaVersion)
    throw UsageError(
        fmt::format("{}: was made by a newer kvsnap (schema version {}; this kvsnap {} uses schema "
                    "version {}): use that kvsnap, or {}",
                    path, version, kvsnap_version(), kSchemaVersion, reimport_advice(path)));
  if (version < kSchemaVersion)
    throw UsageError(
        fmt::format("{}: was made by an older kvsnap (schema version {}; this kvsnap {} uses schema "
                    "version {}, and does not upgrade databases): {}",
                    path, version, kvsnap_version(), kSchemaVersion, reimport_advice(path)));
  std::string fingerprint, made_by = "an unknown kvsnap";
  if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kvsnap_schema'") > 0) {
    Stmt s = db.prepare("SELECT fingerprint, made_by FROM kvsnap_schema LIMIT 1");
    if (s.step()) {
      fingerprint = s.text(0);
      made_by = "kvsnap " + s.text(1);
    }
  }
  if (fingerprint != kvsnap_schema_fingerprint())
    throw UsageError(
        fmt::format("{}: was made by {} with a different schema of the same version {} (fingerprint "
                    "{}, this kvsnap {}: {}; a development build): {}",
                    path, made_by, kSchemaVersion, fingerprint.empty() ? "none" : fingerprint, kvsnap_version(),
                    kvsnap_schema_fingerprint(), reimport_advice(path)));
}

void ensure_schema(Db& db, const std::string& path) {
  if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'") > 0) {
    check_schema(db, path);
    return;
  }
  db.exec(embedded_file("schema.sql"));
  db.exec(embedded_file("views.sql"));
  Stmt row = db.prepare("INSERT INTO kvsnap_schema(version, fingerprint, made_by) VALUES (?, ?, ?)");
  row.bind(1, int64_t{kSchemaVersion}).bind_text(2, kvsnap_schema_fingerprint());
  row.bind_text(3, fmt::format("{} (commit {})", kvsnap_version(), kvsnap_commit())).run();
  db.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
}

}  // namespace kvsnap
