#include <doctest/doctest.h>

#include "util/codec.h"
#include "util/time.h"

using namespace kvsnap;

TEST_CASE("base64 round-trips and rejects bad input") {
  CHECK(base64_decode("L2FwcC9iaW5hcnk=").value() == "/app/binary");
  CHECK(base64_decode("AAEC//4iXH8JQQ==").value() == std::string("\x00\x01\x02\xff\xfe\"\\\x7f\tA", 10));
  CHECK(base64_decode("").value().empty());
  CHECK_FALSE(base64_decode("abc").has_value());   // length not a multiple of 4
  CHECK_FALSE(base64_decode("ab=c").has_value());  // padding in the middle
  CHECK_FALSE(base64_decode("a===").has_value());  // three pads
  CHECK_FALSE(base64_decode("ab-_").has_value());  // URL-safe alphabet is not etcd's
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("abcd"),
                        std::string("\0\xff\x10", 3)})
    CHECK(base64_decode(base64_encode(s)).value() == s);
}

TEST_CASE("etcdctl --hex lines") {
  CHECK(hex_line_decode("\\x2f\\x61").value() == "/a");
  CHECK(hex_line_decode("").value().empty());
  CHECK_FALSE(hex_line_decode("\\x2").has_value());
  CHECK_FALSE(hex_line_decode("\\xzz").has_value());
  CHECK_FALSE(hex_line_decode("/app").has_value());
}

TEST_CASE("Go unquote covers every escape strconv.Quote writes") {
  CHECK(go_unquote(R"("\x00\x01\x02\xff\xfe\"\\\x7f\tA")").value() ==
        std::string("\x00\x01\x02\xff\xfe\"\\\x7f\tA", 10));
  CHECK(go_unquote(R"("h\u00e9 nb\u00a0sp \U0001F600")").value() == "h\xc3\xa9 nb\xc2\xa0sp \xf0\x9f\x98\x80");
  CHECK(go_unquote(R"("\a\b\f\n\r\t\v\101")").value() == "\a\b\f\n\r\t\vA");
  CHECK(go_unquote("\"h\xc3\xa9llo\"").value() == "h\xc3\xa9llo");
  CHECK_FALSE(go_unquote("no quotes").has_value());
  CHECK_FALSE(go_unquote(R"("bad \q escape")").has_value());
  CHECK_FALSE(go_unquote(R"("unterminated \")").has_value());
  CHECK_FALSE(go_unquote(R"("\ud800")").has_value());  // surrogate
}

TEST_CASE("UTF-8 validation") {
  CHECK(is_valid_utf8("h\xc3\xa9llo \xe2\x9c\x93"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  CHECK_FALSE(is_valid_utf8("\xe2\x9c"));      // truncated
}

TEST_CASE("exact 64-bit decimal parsing") {
  CHECK(parse_u64("18446744073709551615").value() == UINT64_MAX);
  CHECK_FALSE(parse_u64("18446744073709551616").has_value());
  CHECK(parse_i64("-9223372036854775808").value() == INT64_MIN);
  CHECK_FALSE(parse_i64("+1").has_value());
  CHECK_FALSE(parse_u64("12a").has_value());
  CHECK_FALSE(parse_u64("").has_value());
}

TEST_CASE("RFC 3339 times") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z").value() == 0);
  CHECK(parse_rfc3339("2024-05-02T10:11:12Z").value() == 1714644672);
  CHECK(parse_rfc3339("2024-05-02T12:11:12+02:00").value() == 1714644672);
  CHECK(parse_rfc3339("2020-11-03T14:02:11.123456789Z").value() == 1604412131);
  CHECK_FALSE(parse_rfc3339("2024-05-02 10:11").has_value());
  CHECK_FALSE(parse_rfc3339("2024-13-02T10:11:12Z").has_value());
  CHECK(format_rfc3339(1714644672) == "2024-05-02T10:11:12Z");
}
