#pragma once
// Byte encodings found in etcd and Cilium data: standard base64 (RFC 4648 §4, with padding),
// etcdctl's `\xHH` hex lines, Go's strconv.Quote/Unquote, and UTF-8 validity.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvsnap {

// Decodes standard base64 with padding; nullopt on any invalid character or length.
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

// Decodes a line of etcdctl --hex output ("\x2f\x61..."); nullopt unless the whole line is \xHH.
std::optional<std::string> hex_line_decode(std::string_view in);
std::string hex_encode(std::string_view in);  // lower-case, no separators

// Unquotes a Go double-quoted string literal as strconv.Unquote does (\a \b \f \n \r \t \v \\ \"
// \xHH \NNN \uHHHH \UHHHHHHHH); nullopt when it is not one.
std::optional<std::string> go_unquote(std::string_view quoted);

bool is_valid_utf8(std::string_view s);

// Exact decimal parsing: nullopt on empty input, any non-digit, or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);
std::optional<int64_t> parse_i64(std::string_view s);
// Lower-case hex without prefix (Go's %x of a uint64): 1 to 16 digits.
std::optional<uint64_t> parse_hex_u64(std::string_view s);

}  // namespace kvsnap
