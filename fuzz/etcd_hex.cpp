// Fuzz target: read_etcd_hex, the reader of `etcdctl get --prefix --hex` output.
#include "etcd/readers.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  auto in = make_input_from_string("fuzz-input", fuzz::as_string(data, size));
  fuzz::DiscardSink sink;
  fuzz::expect_refusals([&] { read_etcd_hex(*in, sink, ReadOptions{}); });
  return 0;
}
