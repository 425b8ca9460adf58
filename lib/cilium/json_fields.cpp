#include "cilium/json_fields.h"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include "util/codec.h"
#include "util/time.h"

namespace kvsnap::json_fields {

namespace {

using Kind = Ref::Kind;

constexpr uint32_t kSizeMask = 0x0FFFFFFF;
// The importer decodes values up to 16 MiB; this bound keeps every offset and length in its field.
constexpr size_t kMaxDocument = 64 << 20;
constexpr size_t kMaxDepth = 1000;

// Appends `in` as Go's decoder leaves a JSON string: every byte that does not start a valid
// UTF-8 sequence (overlong forms, surrogates and code points past U+10FFFF included) becomes
// U+FFFD, one per byte, as utf8.DecodeRune reports them.
void append_go_utf8(std::string& out, std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size(), i = 0;
  while (i < n) {
    // A run of ASCII bytes at once: most strings are nothing else.
    size_t run = i;
    while (run < n && p[run] < 0x80) ++run;
    out.append(in.data() + i, run - i);
    if ((i = run) == n) break;
    unsigned char c = p[i];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (size_t k = 2; ok && k < len; ++k) ok = p[i + k] >= 0x80 && p[i + k] <= 0xBF;
    if (ok) {
      out.append(in.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
}

}  // namespace

// Builds a Document's nodes from Boost.JSON's parser events.
struct Builder {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  Document* doc = nullptr;
  std::vector<uint32_t> open;  // containers not closed yet
  std::string buf;             // the string, key or number being read

  void push(Kind kind, std::string_view text = {}) {
    auto index = uint32_t(doc->nodes_.size());
    Document::Node node;
    node.text = uint32_t(doc->strings_.size());
    if (kind == Kind::String)
      append_go_utf8(doc->strings_, text);
    else
      doc->strings_.append(text);
    node.size = uint32_t(doc->strings_.size() - node.text) | (uint32_t(kind) << 28);
    node.end = index + 1;
    doc->nodes_.push_back(node);
    if (kind == Kind::Array || kind == Kind::Object) open.push_back(index);
  }
  bool close() {
    doc->nodes_[open.back()].end = uint32_t(doc->nodes_.size());
    open.pop_back();
    return true;
  }
  bool text_done(Kind kind, std::string_view last) {
    if (buf.empty()) return push(kind, last), true;  // the whole text in one piece: no copy
    buf.append(last.data(), last.size());
    push(kind, buf);
    buf.clear();
    return true;
  }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return push(Kind::Array), true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return close(); }
  bool on_object_begin(boost::system::error_code&) { return push(Kind::Object), true; }
  bool on_object_end(std::size_t, boost::system::error_code&) { return close(); }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    return buf.append(s.data(), s.size()), true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    return text_done(Kind::String, {s.data(), s.size()});
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    return buf.append(s.data(), s.size()), true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    return text_done(Kind::String, {s.data(), s.size()});
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    return buf.append(s.data(), s.size()), true;
  }
  bool on_int64(int64_t, boost::json::string_view s, boost::system::error_code&) {
    return text_done(Kind::Number, {s.data(), s.size()});
  }
  bool on_uint64(uint64_t, boost::json::string_view s, boost::system::error_code&) {
    return text_done(Kind::Number, {s.data(), s.size()});
  }
  bool on_double(double, boost::json::string_view s, boost::system::error_code&) {
    return text_done(Kind::Number, {s.data(), s.size()});
  }
  bool on_bool(bool b, boost::system::error_code&) { return push(b ? Kind::True : Kind::False), true; }
  bool on_null(boost::system::error_code&) { return push(Kind::Null), true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

Document::Document(std::string_view json) {
  if (json.size() > kMaxDocument) throw DecodeError("value is too large to decode");
  boost::json::parse_options opt;
  opt.max_depth = kMaxDepth;
  opt.allow_invalid_utf8 = true;  // Go reads invalid UTF-8 in strings as U+FFFD
  boost::json::basic_parser<Builder> parser(opt);
  parser.handler().doc = this;
  nodes_.reserve(json.size() / 2 + 1);  // a value takes at least two bytes, but the last
  strings_.reserve(json.size());
  boost::system::error_code ec;
  size_t used = parser.write_some(false, json.data(), json.size(), ec);
  // Whitespace may follow the value (Go allows it), nothing else.
  if (!ec && json.find_first_not_of(" \t\r\n", used) != std::string_view::npos) ec = boost::json::error::extra_data;
  if (ec) throw DecodeError(fmt::format("value is not JSON: {}", ec.message()));
}

Ref::Kind Ref::kind() const { return Kind(doc_->nodes_[node_].size >> 28); }

std::string_view Ref::text() const {
  const auto& n = doc_->nodes_[node_];
  return std::string_view(doc_->strings_).substr(n.text, n.size & kSizeMask);
}

std::vector<Ref> Ref::items() const {
  std::vector<Ref> out;
  const auto& nodes = doc_->nodes_;
  for (uint32_t i = node_ + 1; i < nodes[node_].end; i = nodes[i].end) out.push_back(Ref(doc_, i));
  return out;
}

std::vector<std::pair<std::string_view, Ref>> Ref::members() const {
  std::vector<std::pair<std::string_view, Ref>> out;
  const auto& nodes = doc_->nodes_;
  for (uint32_t i = node_ + 1; i < nodes[node_].end; i = nodes[i + 1].end)
    out.emplace_back(Ref(doc_, i).text(), Ref(doc_, i + 1));
  return out;
}

std::string Ref::json() const {
  auto quote = [](std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); };
  switch (kind()) {
    case Kind::Null: return "null";
    case Kind::False: return "false";
    case Kind::True: return "true";
    case Kind::Number: return std::string(text());
    case Kind::String: return quote(text());
    case Kind::Array: {
      std::string out = "[";
      for (const auto& item : items()) {
        if (out.size() > 1) out += ',';
        out += item.json();
      }
      return out + "]";
    }
    case Kind::Object: {
      std::vector<std::pair<std::string_view, Ref>> unique;
      for (const auto& m : members()) put_last(unique, m.first, m.second);
      std::string out = "{";
      for (const auto& [key, value] : unique) {
        if (out.size() > 1) out += ',';
        out += quote(key);
        out += ':';
        out += value.json();
      }
      return out + "}";
    }
  }
  return "null";
}

const char* Ref::type_name() const {
  switch (kind()) {
    case Kind::Null: return "null";
    case Kind::False:
    case Kind::True: return "a bool";
    case Kind::Number: return "a number";
    case Kind::String: return "a string";
    case Kind::Array: return "an array";
    case Kind::Object: return "an object";
  }
  return "?";
}

bool names_field(std::string_view key, std::string_view name) {
  // Go's foldName: ASCII letters upper-cased, any other rune to the smallest of its simple-fold
  // orbit. The only runes outside ASCII whose orbit reaches ASCII are U+212A KELVIN SIGN ('K')
  // and U+017F LATIN SMALL LETTER LONG S ('S'); no other can match an ASCII name.
  auto upper = [](unsigned char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : char(c); };
  // Each of those takes more bytes than its letter: a key as long as the name matches only in
  // ASCII, and a shorter one never (most keys are told apart here, by their length).
  if (key.size() <= name.size()) {
    if (key.size() < name.size()) return false;
    for (size_t i = 0; i < key.size(); ++i)
      if (static_cast<unsigned char>(key[i]) >= 0x80 ||
          upper(static_cast<unsigned char>(key[i])) != upper(static_cast<unsigned char>(name[i])))
        return false;
    return true;
  }
  size_t i = 0, j = 0;
  while (i < key.size() && j < name.size()) {
    char folded;
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x80) {
      folded = upper(c), ++i;
    } else if (c == 0xE2 && key.substr(i, 3) == "\xE2\x84\xAA") {
      folded = 'K', i += 3;
    } else if (c == 0xC5 && key.substr(i, 2) == "\xC5\xBF") {
      folded = 'S', i += 2;
    } else {
      return false;
    }
    if (folded != upper(static_cast<unsigned char>(name[j++]))) return false;
  }
  return i == key.size() && j == name.size();
}

void Struct::add(Ref value) {
  if (value.is_null()) return;
  if (value.kind() != Kind::Object) {
    std::string what = path_.empty() ? "value" : fmt::format("field {}", path_.substr(0, path_.size() - 1));
    throw DecodeError(fmt::format("{}: expected an object, got {}", what, value.type_name()));
  }
  auto m = value.members();
  members_.insert(members_.end(), m.begin(), m.end());
}

Refs Struct::field(std::string_view name) const {
  Refs out;
  auto upper = [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; };
  for (const auto& [key, value] : members_) {
    // Most members are told apart here: shorter than the name, or starting with another ASCII letter.
    if (key.size() < name.size() ||
        (!name.empty() && static_cast<unsigned char>(key[0]) < 0x80 && upper(key[0]) != upper(name[0])))
      continue;
    if (names_field(key, name)) out.push_back(value);
  }
  return out;
}

Struct root_struct(const Document& doc) {
  Ref root = doc.root();
  if (!root.is_null() && root.kind() != Kind::Object) throw DecodeError("value is not a JSON object");
  Struct s;
  s.add(root);
  return s;
}

namespace {

// What a message calls a value: a struct's field, or an element by its path. Built into text only
// when a message is written (the decoders read millions of fields).
class What {
 public:
  What(const Struct& s, std::string_view name) : s_(&s), name_(name) {}
  explicit What(std::string_view element_path) : name_(element_path) {}
  std::string str() const { return s_ ? s_->where(name_) : "field " + std::string(name_); }

 private:
  const Struct* s_ = nullptr;
  std::string_view name_;
};

[[noreturn]] void wrong(const What& what, const char* want, Ref got) {
  throw DecodeError(fmt::format("{}: expected {}, got {}", what.str(), want, got.type_name()));
}

std::string string_of(Ref v, const What& what) {
  if (v.kind() != Kind::String) wrong(what, "a string", v);
  return std::string(v.text());
}

// strconv.ParseUint(literal, 10, bits) as encoding/json applies it to an unsigned field.
uint64_t uint_of(Ref v, const What& what, int bits) {
  if (v.kind() != Kind::Number) wrong(what, "a number", v);
  std::string_view t = v.text();
  auto n = parse_u64(t);
  if (!n) throw DecodeError(fmt::format("{}: {} is not an unsigned integer", what.str(), t));
  if (bits < 64 && *n >> bits) throw DecodeError(fmt::format("{}: {} overflows uint{}", what.str(), t, bits));
  return *n;
}

bool bool_of(Ref v, const What& what) {
  if (v.kind() != Kind::True && v.kind() != Kind::False) wrong(what, "true or false", v);
  return v.kind() == Kind::True;
}

// The field's value after all its occurrences: null skipped (a string, number or bool keeps its
// value) or, for pointers, slices and maps (`null_resets`), making it nil again.
template <class T, class Read>
std::optional<T> scalar(const Struct& s, std::string_view name, bool null_resets, Read read) {
  std::optional<T> out;
  for (Ref v : s.field(name)) {
    if (v.is_null()) {
      if (null_resets) out.reset();
      continue;
    }
    out = read(v);
  }
  return out;
}

}  // namespace

std::optional<std::string> str(const Struct& s, std::string_view name) {
  return scalar<std::string>(s, name, false, [&](Ref v) { return string_of(v, What(s, name)); });
}

std::optional<bool> boolean(const Struct& s, std::string_view name) {
  return scalar<bool>(s, name, false, [&](Ref v) { return bool_of(v, What(s, name)); });
}

std::optional<bool> bool_pointer(const Struct& s, std::string_view name) {
  return scalar<bool>(s, name, true, [&](Ref v) { return bool_of(v, What(s, name)); });
}

std::optional<uint64_t> uint(const Struct& s, std::string_view name, int bits) {
  return scalar<uint64_t>(s, name, false, [&](Ref v) { return uint_of(v, What(s, name), bits); });
}

std::optional<Ip> ip(const Struct& s, std::string_view name) {
  // net.IP's UnmarshalText: "" is nil, anything else must parse; it takes strings only, and null
  // makes the slice nil.
  std::optional<Ip> out;
  for (Ref v : s.field(name)) {
    if (v.is_null()) {
      out.reset();
      continue;
    }
    std::string text = string_of(v, What(s, name));
    if (text.empty()) {
      out.reset();
      continue;
    }
    auto addr = parse_ip(text);
    if (!addr) throw DecodeError(fmt::format("{}: '{}' is not an IP address", s.where(name), text));
    out = Ip{std::move(text), *addr};
  }
  return out;
}

std::optional<std::string> mask(const Struct& s, std::string_view name) {
  // []byte: standard base64 (Go's decoder skips \r and \n), or an array of numbers 0..255.
  return scalar<std::string>(s, name, true, [&](Ref v) {
    std::string bytes;
    if (v.kind() == Kind::Array) {
      for (Ref b : v.items()) bytes += char(uint_of(b, What(s, name), 8));
      return bytes;
    }
    std::string text = string_of(v, What(s, name));
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
    auto decoded = base64_decode(text);
    if (!decoded) throw DecodeError(fmt::format("{}: not base64", s.where(name)));
    return *decoded;
  });
}

std::optional<std::string> time(const Struct& s, std::string_view name) {
  // metav1.Time's UnmarshalJSON: null is the zero time, a string must be RFC 3339.
  return scalar<std::string>(s, name, true, [&](Ref v) {
    std::string text = string_of(v, What(s, name));
    if (!parse_rfc3339(text)) throw DecodeError(fmt::format("{}: '{}' is not an RFC 3339 time", s.where(name), text));
    return text;
  });
}

namespace {
std::string sub_path(const Struct& s, std::string_view name, const char* suffix) {
  return s.where(name).substr(6) + suffix;  // without "field "
}
}  // namespace

Struct nested(const Struct& s, std::string_view name) {
  Struct out(sub_path(s, name, "."));
  for (Ref v : s.field(name)) out.add(v);
  return out;
}

std::optional<Struct> pointer(const Struct& s, std::string_view name) {
  std::optional<Struct> out;
  for (Ref v : s.field(name)) {
    if (v.is_null()) {
      out.reset();
      continue;
    }
    if (!out) out.emplace(sub_path(s, name, "."));
    out->add(v);
  }
  return out;
}

std::optional<Ref> slice(const Struct& s, std::string_view name) {
  return scalar<Ref>(s, name, true, [&](Ref v) {
    if (v.kind() != Kind::Array) wrong(What(s, name), "an array", v);
    return v;
  });
}

std::optional<std::vector<std::pair<std::string, Ref>>> map(const Struct& s, std::string_view name) {
  std::optional<std::vector<std::pair<std::string, Ref>>> out;
  for (Ref v : s.field(name)) {
    if (v.is_null()) {
      out.reset();
      continue;
    }
    if (v.kind() != Kind::Object) wrong(What(s, name), "an object", v);
    if (!out) out.emplace();
    for (const auto& m : v.members()) put_last(*out, m.first, m.second);
  }
  return out;
}

std::optional<std::string> string_map(const Struct& s, std::string_view name) {
  auto m = map(s, name);
  if (!m) return std::nullopt;
  boost::json::object o;
  for (const auto& [key, value] : *m) o[key] = element_string(value, sub_path(s, name, "[]"));
  return boost::json::serialize(o);
}

Struct element(Ref v, const std::string& path) {
  Struct out(path + ".");
  out.add(v);
  return out;
}

std::optional<Struct> element_pointer(Ref v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  return element(v, path);
}

std::string element_string(Ref v, const std::string& path) { return v.is_null() ? "" : string_of(v, What(path)); }

}  // namespace kvsnap::json_fields
