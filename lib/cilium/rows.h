#pragma once
// How decoders write typed rows without knowing SQL: a TableSpec names a decoded table and its
// columns (after the snapshot_id and kv_id every decoded table starts with), and a RowWriter
// inserts one row of values in that order. Strings that many keys repeat are stored once per
// snapshot, in a text set (TextSetSpec): rows hold the id text_id returns.
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

// A table of distinct strings, each stored once per snapshot: (id, snapshot_id, column), with a
// unique index on (snapshot_id, column).
struct TextSetSpec {
  const char* table;
  const char* column;
  const char* index;
};
// Identity label strings, repeated by every node's slave key.
inline constexpr TextSetSpec kLabelSet{"label_set", "labels", "label_set_labels"};
// The NamedPorts of ipcache entries, repeated by the pods of a workload.
inline constexpr TextSetSpec kPortSet{"port_set", "named_ports", "port_set_ports"};
inline constexpr const TextSetSpec* kTextSets[] = {&kLabelSet, &kPortSet};

class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void insert(const TableSpec& table, std::initializer_list<SqlValue> values) = 0;
  // The id of this string in the current snapshot's text set, added when new. The same bytes give
  // the same id within a snapshot, so rows compare such strings by this integer.
  virtual int64_t text_id(const TextSetSpec& set, std::string_view text) = 0;
};

}  // namespace kvsnap
