// Fuzz target: read_sysdump on the bytes of a `cilium sysdump` archive (.zip, .tar, compressed
// tar): libarchive's member walk, the kvstore-*.json members, the cilium-config ConfigMap.
#include "etcd/readers.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  auto in = make_input_from_string("cilium-sysdump-20250310-081500.zip", fuzz::as_string(data, size));
  fuzz::DiscardSink sink;
  fuzz::expect_refusals([&] { read_sysdump(*in, sink, ReadOptions{}); });
  return 0;
}
