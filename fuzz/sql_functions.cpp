// Fuzz target: kvsnap's SQL functions (ip_bin, ip_text, cidr_contains, cidr_overlaps,
// label_value, identity_cluster, rfc3339, display_bytes) called through SQLite, as checks and
// users' queries call them, on an in-memory database with register_sql_functions. The input's
// first byte picks the function (bits 0-2) and how each argument is bound (bits 3-4 and 5-6:
// text, blob, integer parsed from the text, NULL); the rest is "<arg1>\n<arg2>".
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.h"
#include "store/db.h"
#include "store/sql_functions.h"

namespace {

struct Functions {
  kvsnap::Db db{":memory:", kvsnap::Db::Mode::Create};
  std::vector<kvsnap::Stmt> calls;
  Functions() {
    kvsnap::register_sql_functions(db, 7);
    for (const char* sql : {"SELECT ip_bin(?1)", "SELECT ip_text(?1)", "SELECT cidr_contains(?1, ?2)",
                            "SELECT cidr_overlaps(?1, ?2)", "SELECT label_value(?1, ?2)",
                            "SELECT identity_cluster(?1, ?2)", "SELECT rfc3339(?1)", "SELECT display_bytes(?1)"})
      calls.push_back(db.prepare(sql));
  }
};

void bind(kvsnap::Stmt& s, int i, int mode, std::string_view arg) {
  switch (mode) {
    case 0: s.bind_text(i, arg); break;
    case 1: s.bind_blob(i, arg); break;
    case 2: s.bind(i, int64_t(std::strtoll(std::string(arg).c_str(), nullptr, 0))); break;
    default: s.bind_null(i); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  static Functions* f = new Functions;  // lives for the whole process, as a tool's connection does
  if (size == 0) return 0;
  unsigned sel = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto nl = rest.find('\n');
  std::string_view a = rest.substr(0, nl), b = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  Stmt& s = f->calls[sel & 7];
  bind(s, 1, (sel >> 3) & 3, a);
  if (sqlite3_bind_parameter_count(s.get()) == 2) bind(s, 2, (sel >> 5) & 3, b);
  fuzz::expect_refusals([&] {
    if (s.step()) {
      fuzz::touch(s.blob(0));
      fuzz::touch(s.text(0));
    }
  });
  s.reset();
  return 0;
}
