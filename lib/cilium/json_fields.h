#pragma once
// Cilium's JSON values read the way Cilium reads them: with Go's encoding/json into Cilium's
// structs (docs/cilium-kvstore.md, "How values are decoded").
//
// - A key names a field when it equals the field's JSON name, else when the two are equal under
//   Go's case folding ("name", "Name" and "NAME" are one field). Keys that name no field are
//   ignored.
// - A field given more than once takes its values in document order: the last wins; a struct or
//   a map given twice merges them.
// - null leaves a string, number, bool or struct as it was (zero when absent) and makes a slice,
//   map or pointer nil.
// - A value of the wrong JSON type for its field is a DecodeError: Go's UnmarshalTypeError makes
//   Cilium drop the whole value. So is invalid JSON.
//
// The readers return nullopt for "absent, or nil": each decoder applies the Go zero value ("", 0,
// false) where Cilium's field is not a pointer, slice or map. They assume no two fields of the
// struct are equal under case folding, which holds for every struct read here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "cilium/layouts.h"
#include "net/ip.h"

namespace kvsnap::json_fields {

class Document;

// One JSON value of a Document.
class Ref {
 public:
  enum class Kind : uint8_t { Null, False, True, Number, String, Array, Object };
  Kind kind() const;
  bool is_null() const { return kind() == Kind::Null; }
  // String: the text after unescaping (invalid UTF-8 replaced by U+FFFD, as Go does); Number:
  // the literal as written.
  std::string_view text() const;
  std::vector<Ref> items() const;                                 // Array
  std::vector<std::pair<std::string_view, Ref>> members() const;  // Object: document order, duplicates kept
  // Compact JSON; an object's duplicate keys once, with the last value at the first one's place.
  std::string json() const;
  const char* type_name() const;  // "a string", "an object", ... for messages

 private:
  friend class Document;
  Ref(const Document* doc, uint32_t node) : doc_(doc), node_(node) {}
  const Document* doc_;
  uint32_t node_;
};

// A parsed JSON text. Up to 1000 levels deep (Go allows 10000; Cilium writes 4).
class Document {
 public:
  // DecodeError "value is not JSON: ..." unless `json` is one JSON value.
  explicit Document(std::string_view json);
  Ref root() const { return Ref(this, 0); }

 private:
  friend class Ref;
  friend struct Builder;
  struct Node {
    uint32_t text = 0;  // String, Number: offset in strings_; Array, Object: unused
    uint32_t size = 0;  // kind in the top 4 bits, the text's length below
    uint32_t end = 0;   // the index after this value's subtree
  };
  std::vector<Node> nodes_;  // pre-order; an object's children alternate key (a String) and value
  std::string strings_;
};

// A field's values: almost always one.
using Refs = boost::container::small_vector<Ref, 2>;

// What Go decodes into one struct: the members of every object given to it, in document order.
class Struct {
 public:
  // The zero struct; `path` ("", "capabilities.", "IPAddresses[].") prefixes its fields in messages.
  explicit Struct(std::string path = {}) : path_(std::move(path)) {}
  // Adds an object's members; null adds nothing; anything else is a DecodeError.
  void add(Ref value);
  // The values given to the field whose JSON name is `name`, in document order.
  Refs field(std::string_view name) const;
  // `name` as messages call it: "field capabilities.cached".
  std::string where(std::string_view name) const {
    std::string out = "field ";
    out += path_;
    out += name;
    return out;
  }

 private:
  std::string path_;
  std::vector<std::pair<std::string_view, Ref>> members_;
};

// Go's key matching: `key` names the field `name` (ASCII) when equal after Go's case folding.
bool names_field(std::string_view key, std::string_view name);

// The whole value as a struct: an object, or null (Go then leaves the struct zero).
Struct root_struct(const Document& doc);

// Scalars: string, bool, unsigned integer of `bits` bits (Go's strconv.ParseUint on the literal:
// no sign, fraction or exponent). nullopt when absent or only null.
std::optional<std::string> str(const Struct& s, std::string_view name);
std::optional<bool> boolean(const Struct& s, std::string_view name);
std::optional<uint64_t> uint(const Struct& s, std::string_view name, int bits);
// A *bool: null makes it nil again.
std::optional<bool> bool_pointer(const Struct& s, std::string_view name);

// net.IP: a string that is an IP, or "" (nil); null makes it nil. nullopt when nil.
struct Ip {
  std::string text;  // as written
  IpAddr addr;
};
std::optional<Ip> ip(const Struct& s, std::string_view name);
// net.IPMask ([]byte): base64 text or an array of bytes; nullopt when nil.
std::optional<std::string> mask(const Struct& s, std::string_view name);
// metav1.Time: an RFC 3339 string as written, nullopt when zero (absent or null).
std::optional<std::string> time(const Struct& s, std::string_view name);

// Composites. A struct (never nil), a *struct (nullopt when nil), a slice and a map (nullopt when
// nil; a map's keys once, the last value at the first key's place).
Struct nested(const Struct& s, std::string_view name);
std::optional<Struct> pointer(const Struct& s, std::string_view name);
std::optional<Ref> slice(const Struct& s, std::string_view name);  // the array
std::optional<std::vector<std::pair<std::string, Ref>>> map(const Struct& s, std::string_view name);
// map[string]string re-serialized as a JSON object (null values as ""), nullopt when nil.
std::optional<std::string> string_map(const Struct& s, std::string_view name);

// Sets `key` to `value` in `entries`: in place when the key is there (a map given the same key
// twice keeps its first place and the last value), else at the end.
template <class Key>
void put_last(std::vector<std::pair<Key, Ref>>& entries, std::string_view key, Ref value) {
  for (auto& e : entries)
    if (e.first == key) {
      e.second = value;
      return;
    }
  entries.emplace_back(Key(key), value);
}

// Elements of slices and maps; `path` names them in messages ("IPAddresses[]").
Struct element(Ref v, const std::string& path);                         // T: an object or null
std::optional<Struct> element_pointer(Ref v, const std::string& path);  // *T: nullopt for null
std::string element_string(Ref v, const std::string& path);             // string: null is ""

}  // namespace kvsnap::json_fields
