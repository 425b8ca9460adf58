#pragma once
// What every fuzz target shares: a sink that discards what the readers produce (after touching
// every byte, so AddressSanitizer checks each view a reader hands out), and the one place that
// says which exceptions are the expected way to refuse bad input. Anything else escaping a
// target (std::bad_alloc included) crashes it: that is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cilium/layouts.h"
#include "cilium/rows.h"
#include "etcd/record.h"
#include "store/db.h"
#include "util/error.h"

namespace kvsnap::fuzz {

inline volatile unsigned char touched;

// Reads every byte of `s` (an out-of-bounds view fails under ASan) without the optimizer
// dropping the loop.
inline void touch(std::string_view s) {
  unsigned char x = 0;
  for (char c : s) x = static_cast<unsigned char>(x ^ static_cast<unsigned char>(c));
  touched = x;
}

class DiscardSink : public RecordSink {
 public:
  void record(Record&& r) override {
    touch(r.key);
    touch(r.value);
    ++records;
  }
  SnapshotMeta& meta() override { return meta_; }
  void history(const HistoryRecord& h) override {
    touch(h.key);
    touch(h.value);
  }
  void lease(const LeaseRecord&) override {}
  void member(const MemberRecord& m) override {
    touch(m.id_hex);
    touch(m.peer_urls);
    touch(m.client_urls);
  }
  int64_t records = 0;

 private:
  SnapshotMeta meta_;
};

class DiscardRows : public RowWriter {
 public:
  void insert(const TableSpec&, std::initializer_list<SqlValue> values) override {
    for (const auto& v : values) touch(v.s);
  }
  int64_t text_id(const TextSetSpec&, std::string_view text) override {
    touch(text);
    return 0;
  }
};

// Runs f; the project's own refusals of bad input are the expected outcome.
template <class F>
void expect_refusals(F&& f) {
  try {
    f();
  } catch (const InputError&) {
  } catch (const DecodeError&) {
  } catch (const DbError&) {
  }
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace kvsnap::fuzz
