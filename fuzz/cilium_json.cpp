// Fuzz target: read_cilium_json, the reader of `cilium kvstore get --recursive -o json` output.
#include "etcd/readers.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  auto in = make_input_from_string("fuzz-input", fuzz::as_string(data, size));
  fuzz::DiscardSink sink;
  fuzz::expect_refusals([&] { read_cilium_json(*in, sink, ReadOptions{}); });
  return 0;
}
