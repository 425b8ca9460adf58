// `etcdctl get --prefix -w json`: one RangeResponse object per line (several when pages were
// concatenated); also the grpc-gateway form where 64-bit integers are JSON strings.
#include <fmt/format.h>

#include <vector>

#include "etcd/json_stream.h"
#include "etcd/readers.h"
#include "io/limits.h"
#include "util/codec.h"
#include "util/error.h"

namespace kvsnap {
namespace {

class EtcdJsonEvents : public JsonEvents {
 public:
  explicit EtcdJsonEvents(RecordSink& sink) : sink_(sink) {}

  void begin_object() override {
    if (stack_.empty()) {
      stack_.push_back(Ctx::Top);
      saw_header_ = false;
    } else if (top() == Ctx::Top && key_ == "header") {
      stack_.push_back(Ctx::Header);
    } else if (top() == Ctx::Kvs) {
      stack_.push_back(Ctx::Kv);
      // Go's omitempty drops zero members: absent means 0.
      rec_ = Record{};
      rec_.create_revision = rec_.mod_revision = rec_.version = rec_.lease = 0;
      has_key_ = false;
      has_value_ = false;
    } else {
      stack_.push_back(Ctx::Ignored);
    }
  }
  void end_object() override {
    Ctx c = top();
    stack_.pop_back();
    if (c == Ctx::Kv) {
      if (!has_key_) throw JsonShapeError("a kvs entry has no \"key\"");
      ++records_;
      ++doc_kvs_;
      if (has_value_) ++values_;
      sink_.record(std::move(rec_));
    } else if (c == Ctx::Top) {
      if (!saw_header_) throw JsonShapeError("not an etcdctl -w json response: no \"header\" object");
      done_.push_back({doc_kvs_, doc_count_, doc_more_});
      doc_kvs_ = 0;
      doc_count_ = 0;
      doc_more_ = false;
    }
  }
  void begin_array() override {
    if (stack_.empty()) throw JsonShapeError("expected an object, found an array");
    stack_.push_back(top() == Ctx::Top && key_ == "kvs" ? Ctx::Kvs : Ctx::Ignored);
  }
  void end_array() override { stack_.pop_back(); }
  void key(std::string_view k) override {
    key_.assign(k);
    if (top() != Ctx::Top) return;
    if (k == "header")
      saw_header_ = true;
    else if (k != "kvs" && k != "more" && k != "count")
      throw JsonShapeError(fmt::format("not an etcdctl get response: it has a \"{}\" member{}", k,
                                       k == "members" ? " (etcdctl member list?)" : ""));
  }
  StringUse string_use() override {
    if (stack_.empty()) throw JsonShapeError("expected an object, found a string");
    if (top() == Ctx::Kv && (key_ == "key" || key_ == "value")) return StringUse::Base64;
    return is_numeric_field() ? StringUse::Text : StringUse::Ignore;
  }
  void base64(std::string& bytes) override {
    if (key_ == "key") {
      rec_.key = std::move(bytes);
      has_key_ = true;
    } else {
      rec_.value = std::move(bytes);
      has_value_ = true;
    }
  }
  void base64_failed(bool too_big, uint64_t size) override {
    if (!too_big) throw JsonShapeError(fmt::format("kvs[].{} is not valid base64", key_));
    if (key_ == "key") throw JsonLimitError(key_too_big("", size, true));
    if (!has_key_)
      throw JsonLimitError(
          fmt::format("a value (before its key) is more than {} ({} bytes read); SQLite stores at "
                      "most 1 GB per value",
                      human_bytes(kMaxValueBytes), size));
    throw JsonLimitError(value_too_big(rec_.key, size, true));
  }
  void string(std::string_view s) override {
    // grpc-gateway JSON: int64/uint64 members are decimal strings.
    if (is_numeric_field()) {
      auto u = parse_u64(s);
      auto i = parse_i64(s);
      if (!u && !i) throw JsonShapeError(fmt::format("\"{}\" is not a number", key_));
      number(i.value_or(int64_t(u.value_or(0))), u.value_or(uint64_t(i.value_or(0))), !u.has_value());
    }
  }
  void integer(std::string_view, int64_t i, uint64_t u, bool is_signed) override {
    if (stack_.empty()) throw JsonShapeError("expected an object, found a number");
    number(i, u, is_signed);
  }
  void boolean(bool b) override {
    if (!stack_.empty() && top() == Ctx::Top && key_ == "more")
      doc_more_ = b;
    else
      other("a boolean");
  }
  void other(std::string_view what) override {
    if (stack_.empty()) throw JsonShapeError(fmt::format("expected an object, found {}", what));
    if (top() == Ctx::Kv && (key_ == "key" || key_ == "value") && what != "null")
      throw JsonShapeError(fmt::format("kvs[].{} must be a base64 string, found {}", key_, what));
  }

  struct Doc {
    int64_t kvs;
    uint64_t count;
    bool more;
  };
  // The responses read, for their count and more members.
  const std::vector<Doc>& documents() const { return done_; }

  // `--keys-only` drops every value member; so does an empty value, so only call the dump
  // keys-only when no kv at all had a value.
  bool keys_only() const { return records_ > 0 && values_ == 0; }

 private:
  enum class Ctx { Top, Header, Kvs, Kv, Ignored };
  Ctx top() const { return stack_.back(); }

  bool is_numeric_field() const {
    if (top() == Ctx::Kv)
      return key_ == "create_revision" || key_ == "mod_revision" || key_ == "version" || key_ == "lease";
    if (top() == Ctx::Header)
      return key_ == "cluster_id" || key_ == "member_id" || key_ == "revision" || key_ == "raft_term";
    return top() == Ctx::Top && key_ == "count";
  }

  void number(int64_t i, uint64_t u, bool is_signed) {
    auto need_i64 = [&]() -> int64_t {
      if (!is_signed && u > uint64_t(INT64_MAX)) throw JsonShapeError(fmt::format("\"{}\" is out of range", key_));
      return i;
    };
    if (top() == Ctx::Kv) {
      if (key_ == "create_revision")
        rec_.create_revision = need_i64();
      else if (key_ == "mod_revision")
        rec_.mod_revision = need_i64();
      else if (key_ == "version")
        rec_.version = need_i64();
      else if (key_ == "lease")
        rec_.lease = need_i64();
      return;
    }
    if (top() == Ctx::Top && key_ == "count") {
      if (is_signed && i < 0) throw JsonShapeError("\"count\" is negative");
      doc_count_ = u;
      return;
    }
    if (top() == Ctx::Header) {
      SnapshotMeta& m = sink_.meta();
      if (is_signed && i < 0 && key_ != "revision") throw JsonShapeError(fmt::format("\"{}\" is negative", key_));
      if (key_ == "cluster_id")
        m.etcd_cluster_id = u;
      else if (key_ == "member_id")
        m.etcd_member_id = u;
      else if (key_ == "raft_term")
        m.raft_term = u;
      else if (key_ == "revision") {
        int64_t r = need_i64();
        if (!m.revision || r > *m.revision) m.revision = r;
      }
    }
  }

  RecordSink& sink_;
  std::vector<Ctx> stack_;
  std::string key_;
  Record rec_;
  bool has_key_ = false, has_value_ = false, saw_header_ = false;
  int64_t records_ = 0, values_ = 0;
  int64_t doc_kvs_ = 0;
  uint64_t doc_count_ = 0;
  bool doc_more_ = false;
  std::vector<Doc> done_;
};

}  // namespace

void read_etcd_json(Input& in, RecordSink& sink, const ReadOptions&) {
  EtcdJsonEvents ev(sink);
  parse_json_stream(in, ev, "etcdctl -w json output");
  sink.meta().keys_only = ev.keys_only();
  const auto& docs = ev.documents();
  for (size_t i = 0; i < docs.size(); ++i)
    check_count(in, sink, docs[i].kvs, docs[i].count, docs[i].more, fmt::format("response {}", i + 1),
                i + 1 == docs.size());
}

}  // namespace kvsnap
