#pragma once
// Helpers shared by the unit tests: fixture paths, reading an input into records.
#include <string>
#include <vector>

#include "etcd/formats.h"
#include "etcd/record.h"
#include "io/input.h"

namespace kvsnap::test {

inline std::string fixture(const std::string& rel) { return std::string(KVSNAP_FIXTURES) + "/" + rel; }

// Collects a record stream.
struct CollectSink : RecordSink {
  std::vector<Record> records;
  SnapshotMeta m;
  void record(Record&& r) override { records.push_back(std::move(r)); }
  SnapshotMeta& meta() override { return m; }
};

// Reads a fixture with format detection; `format` receives the detected name.
inline CollectSink read_fixture(const std::string& rel, std::string* format = nullptr, const ReadOptions& opts = {}) {
  auto in = open_input(fixture(rel));
  const InputFormat& f = detect_format(*in, opts);
  if (format) *format = f.name;
  CollectSink sink;
  f.read(*in, sink, opts);
  return sink;
}

inline CollectSink read_string(const std::string& data, const char* format_name) {
  auto in = make_input_from_string("test-input", data);
  CollectSink sink;
  find_format(format_name)->read(*in, sink, ReadOptions{});
  return sink;
}

}  // namespace kvsnap::test
