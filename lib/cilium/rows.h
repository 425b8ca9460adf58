#pragma once
// How decoders write typed rows without knowing SQL: a TableSpec names a decoded table and its
// columns (after the snapshot_id and kv_id every decoded table starts with), and a RowWriter
// inserts one row of values in that order. Label strings, repeated by every node's slave key,
// are stored once per snapshot (table label_set): rows hold the id label_set_id returns.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvsnap {

struct TableSpec {
  const char* name;
  std::vector<const char*> columns;  // without snapshot_id and kv_id
};

struct SqlValue {
  enum class Kind { Null, Int, Text, Blob } kind = Kind::Null;
  int64_t i = 0;
  std::string_view s;

  SqlValue() = default;
  SqlValue(std::nullopt_t) {}
  SqlValue(int v) : kind(Kind::Int), i(v) {}
  SqlValue(int64_t v) : kind(Kind::Int), i(v) {}
  SqlValue(uint32_t v) : kind(Kind::Int), i(v) {}
  SqlValue(bool v) : kind(Kind::Int), i(v ? 1 : 0) {}
  SqlValue(std::optional<int64_t> v) : kind(v ? Kind::Int : Kind::Null), i(v.value_or(0)) {}
  SqlValue(std::optional<bool> v) : kind(v ? Kind::Int : Kind::Null), i(v.value_or(false) ? 1 : 0) {}
  SqlValue(std::string_view v) : kind(Kind::Text), s(v) {}
  SqlValue(const char* v) : kind(Kind::Text), s(v) {}
  SqlValue(const std::string& v) : kind(Kind::Text), s(v) {}
  SqlValue(const std::optional<std::string>& v) : kind(v ? Kind::Text : Kind::Null) {
    if (v) s = *v;
  }
  static SqlValue blob(std::string_view v) {
    SqlValue x;
    x.kind = Kind::Blob;
    x.s = v;
    return x;
  }
  static SqlValue blob_or_null(const std::optional<std::string>& v) { return v ? blob(*v) : SqlValue(); }
};

class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void insert(const TableSpec& table, std::initializer_list<SqlValue> values) = 0;
  // The id of this label string in the current snapshot's label_set, added when new. The same
  // bytes give the same id within a snapshot, so rows compare label strings by this integer.
  virtual int64_t label_set_id(std::string_view labels) = 0;
};

}  // namespace kvsnap
