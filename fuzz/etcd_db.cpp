// Fuzz target: read_etcd_db on a whole etcd db file (bbolt pages, then etcd's MVCC records,
// leases, members and meta bucket), from memory as kvimport reads a compressed or piped one.
// The SHA-256 trailer is not checked (the fuzzer cannot forge it); when the file reads, it is
// read once more at an older revision, the --at-revision path. Inputs of odd length sort the key
// bucket in runs of 3 records through a temporary file (what a file of millions of records does),
// so the merge of the runs is fuzzed too.
#include "etcd/readers.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  ReadOptions opts;
  opts.skip_hash_check = true;
  if (size % 2) opts.sort_run_records = 3;
  std::optional<int64_t> revision;
  fuzz::expect_refusals([&] {
    auto in = make_input_from_string("fuzz.db", fuzz::as_string(data, size));
    fuzz::DiscardSink sink;
    read_etcd_db(*in, sink, opts);
    revision = sink.meta().revision;
  });
  if (!revision || *revision < 2) return 0;
  opts.at_revision = *revision / 2;
  fuzz::expect_refusals([&] {
    auto in = make_input_from_string("fuzz.db", fuzz::as_string(data, size));
    fuzz::DiscardSink sink;
    read_etcd_db(*in, sink, opts);
  });
  return 0;
}
