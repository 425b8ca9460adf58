#pragma once
// Streams a JSON document (or several concatenated ones) from an Input through Boost.JSON's
// incremental SAX parser, so a multi-gigabyte single-line dump never has to fit in memory.
// Integers arrive exactly (int64/uint64 with their text), never through a double.
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
  virtual void string(std::string_view s) = 0;
  // An integer literal; `text` is its source, `fits_i64`/`fits_u64` say which value is exact.
  virtual void integer(std::string_view text, int64_t i, uint64_t u, bool is_signed) = 0;
  virtual void other(std::string_view what) = 0;  // a double or null (and booleans, by default)
  virtual void boolean(bool) { other("a boolean"); }
};

// Thrown by JsonEvents handlers; becomes an InputError at the parser's position.
class JsonShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses documents until the input ends. `what` names the expected format in messages.
// Throws InputError("file", "byte N", ...) on syntax or shape errors and on an empty input.
void parse_json_stream(Input& in, JsonEvents& events, const char* what);

}  // namespace kvsnap
