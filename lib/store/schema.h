#pragma once
// The one schema kvsnap writes (schema/schema.sql and schema/views.sql, compiled in) and the
// refusal of every database made with another. There are no migrations: the inputs are the
// source of truth, so a database of another schema is imported again rather than upgraded.
//
// A database records its schema twice: PRAGMA user_version (the number a person reads, bumped
// with every released change) and the kvsnap_schema row, whose fingerprint is a hash of the
// schema files' bytes. The fingerprint catches what a forgotten version bump would let through
// (an index added to schema.sql must not be silently missing from a database made before).
#include <string>

#include "store/db.h"

namespace kvsnap {

// The schema version this kvsnap writes and reads.
int kvsnap_schema_version();
// SHA-256 of schema.sql and views.sql as compiled in, first 16 hex digits.
const std::string& kvsnap_schema_fingerprint();

// Creates the tables, views and the kvsnap_schema row in a database without tables; on a database
// that has them, checks it as check_schema does. `path` names the file in messages.
void ensure_schema(Db& db, const std::string& path);
// Throws UsageError (exit 2) unless the database was made with this schema: the message names
// both versions (and fingerprints when the numbers agree) and says to import the inputs again.
void check_schema(Db& db, const std::string& path);

}  // namespace kvsnap
