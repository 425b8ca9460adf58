// `cilium kvstore get --recursive -o json` (what `cilium sysdump` stores as kvstore-*.json):
// {"<key>": {"Data": "<base64>", "ModRevision": N, "LeaseID": N, "SessionID": ""}, ...}
#include <fmt/format.h>

#include <vector>

#include "etcd/json_stream.h"
#include "etcd/readers.h"
#include "io/limits.h"

namespace kvsnap {
namespace {

class CiliumJsonEvents : public JsonEvents {
 public:
  explicit CiliumJsonEvents(RecordSink& sink) : sink_(sink) {}

  void begin_object() override {
    if (depth_ == 2 && key_ == "Data") throw JsonShapeError("\"Data\" must be a base64 string");
    if (depth_ == 1) {
      rec_ = Record{};
      rec_.key.swap(key_);
      has_data_ = false;
    }
    ++depth_;
  }
  void end_object() override {
    --depth_;
    if (depth_ == 1) {
      if (!has_data_) throw JsonShapeError(fmt::format("the entry of \"{}\" has no \"Data\"", rec_.key));
      sink_.record(std::move(rec_));
    }
  }
  void begin_array() override {
    if (depth_ <= 1) throw JsonShapeError("expected an object of {\"Data\": ...} entries, found an array");
    ++depth_;
  }
  void end_array() override { --depth_; }
  void key(std::string_view k) override { key_.assign(k); }
  StringUse string_use() override {
    if (depth_ == 0)
      throw JsonShapeError(
          "a single JSON string: this is `cilium kvstore get KEY -o json` of one key, which does "
          "not name its key; use --recursive");
    if (depth_ == 1) throw JsonShapeError(fmt::format("the entry of \"{}\" is not an object", key_));
    return depth_ == 2 && key_ == "Data" ? StringUse::Base64 : StringUse::Ignore;
  }
  void string(std::string_view) override {}
  void base64(std::string& bytes) override {
    rec_.value = std::move(bytes);
    has_data_ = true;
  }
  void base64_failed(bool too_big, uint64_t size) override {
    if (too_big) throw JsonLimitError(value_too_big(rec_.key, size, true));
    throw JsonShapeError("\"Data\" is not valid base64");
  }
  void integer(std::string_view, int64_t i, uint64_t u, bool is_signed) override {
    if (depth_ < 2) throw JsonShapeError("expected an object of {\"Data\": ...} entries, found a number");
    if (depth_ != 2) return;
    if (key_ == "ModRevision") {
      if (!is_signed && u > uint64_t(INT64_MAX)) throw JsonShapeError("\"ModRevision\" is out of range");
      rec_.mod_revision = i;
    } else if (key_ == "LeaseID") {
      if (!is_signed && u > uint64_t(INT64_MAX)) throw JsonShapeError("\"LeaseID\" is out of range");
      rec_.lease = i;
    }
  }
  void other(std::string_view what) override {
    if (depth_ == 0 && what == "null") return;  // an empty result printed as null
    if (depth_ < 2)
      throw JsonShapeError(fmt::format("expected an object of {{\"Data\": ...}} entries, found {}", what));
    if (depth_ == 2 && key_ == "Data") {
      if (what != "null") throw JsonShapeError("\"Data\" must be a base64 string");
      has_data_ = true;  // Go's nil []byte: an empty value
    }
  }

 private:
  RecordSink& sink_;
  int depth_ = 0;
  bool has_data_ = false;
  std::string key_;
  Record rec_;
};

}  // namespace

void read_cilium_json(Input& in, RecordSink& sink, const ReadOptions&) {
  CiliumJsonEvents ev(sink);
  parse_json_stream(in, ev, "`cilium kvstore get -o json` output");
}

}  // namespace kvsnap
