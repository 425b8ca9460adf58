#pragma once
// Text encoders of the generator that the product library has no equivalent of: Go
// encoding/json string escaping, RFC 4180 CSV fields, decimal numbers appended in place. Base64
// (what Go's encoding/json does for []byte) is kvsnap::base64_encode from util/codec.h, IP
// address text kvsnap::IpAddr's from net/ip.h.
#include <cstdint>
#include <string>
#include <string_view>

namespace kvsnap::gen {

// The text of an IPv4 address the generator holds as a number (host byte order):
// kvsnap::IpAddr::to_string().
std::string ipv4_text(uint32_t address);

// Appends `s` as a JSON string literal (with quotes) exactly as Go's encoding/json writes it with
// HTML escaping on (the default): '<' '>' '&' as \u003c \u003e \u0026, U+2028/U+2029 escaped,
// control bytes as \n \r \t or \u00XX, invalid UTF-8 bytes as \ufffd.
void append_go_json_string(std::string& out, std::string_view s);

// Appends `s` as one RFC 4180 CSV field: as is, unless it holds '"', ',', CR or LF; then in
// double quotes with every '"' doubled. Bytes are copied unchanged (no UTF-8 check).
void append_csv_field(std::string& out, std::string_view s);

// Appends a number in decimal.
void append_uint(std::string& out, uint64_t v);
void append_int(std::string& out, int64_t v);

}  // namespace kvsnap::gen
