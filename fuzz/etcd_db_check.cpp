// Fuzz target: etcd_db_status (kvimport --status, strict) and etcd_db_verify (kvimport --verify:
// bbolt's integrity checks, every problem collected instead of the first one thrown).
#include <string_view>

#include "etcd/mvcc.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz::expect_refusals([&] {
    EtcdDbStatus st = etcd_db_status("fuzz.db", bytes);
    for (const auto& b : st.buckets) fuzz::touch(b.name);
  });
  fuzz::expect_refusals([&] {
    for (const auto& p : etcd_db_verify("fuzz.db", bytes)) fuzz::touch(p);
  });
  return 0;
}
