#pragma once
// Streams a JSON document (or several concatenated ones) from an Input through Boost.JSON's
// incremental SAX parser, so a multi-gigabyte single-line dump never has to fit in memory.
// Integers arrive exactly (int64/uint64 with their text), never through a double. The parser
// keeps its own stack (no recursion per level) and refuses nesting deeper than kMaxJsonDepth.
// A string is held only when the reader wants it, and at most kMaxValueBytes of it; base64
// strings are decoded while they stream in, so a value is never held twice.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "io/input.h"

namespace kvsnap {

class JsonEvents {
 public:
  virtual ~JsonEvents() = default;
  virtual void begin_document() {}
  virtual void end_document() {}
  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  virtual void key(std::string_view k) = 0;
  // What the reader wants of the string value that starts now (asked before its first byte):
  // Ignore: nothing is kept and string() is not called (it may be any length); Text: string()
  // gets it; Base64: it is decoded as it streams in and base64() gets the bytes.
  enum class StringUse { Ignore, Text, Base64 };
  virtual StringUse string_use() { return StringUse::Text; }
  virtual void string(std::string_view s) = 0;
  // A Base64 string, decoded; the reader may move the bytes out.
  virtual void base64(std::string& bytes) { (void)bytes; }
  // A Base64 string that is not valid standard base64, or that decodes to more than
  // kMaxValueBytes (`too_big`, `size` bytes decoded so far): must throw (JsonShapeError or
  // JsonLimitError) with what it means for this format.
  virtual void base64_failed(bool too_big, uint64_t size);
  // An integer literal; `text` is its source, `fits_i64`/`fits_u64` say which value is exact.
  virtual void integer(std::string_view text, int64_t i, uint64_t u, bool is_signed) = 0;
  virtual void other(std::string_view what) = 0;  // a double or null (and booleans, by default)
  virtual void boolean(bool) { other("a boolean"); }
};

// Thrown by JsonEvents handlers; becomes an InputError at the parser's position
// ("invalid <format>: <message>").
class JsonShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The same for input that is well-formed but beyond a bound of io/limits.h: the message is
// given as it is, without "invalid <format>".
class JsonLimitError : public JsonShapeError {
 public:
  using JsonShapeError::JsonShapeError;
};

// Parses documents until the input ends. `what` names the expected format in messages.
// Throws InputError("file", "byte N", ...) on syntax or shape errors and on an empty input; a
// RecordError a handler's sink throws becomes an InputError at the end of that record.
void parse_json_stream(Input& in, JsonEvents& events, const char* what);

}  // namespace kvsnap
