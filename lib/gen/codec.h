#pragma once
// Byte encoders shared by the generator's output writers: RFC 4648 standard base64 (what Go's
// encoding/json does for []byte) and Go encoding/json string escaping.
#include <string>
#include <string_view>

namespace kvsnap::gen {

void append_base64(std::string& out, std::string_view in);

// Appends `s` as a JSON string literal (with quotes) exactly as Go's encoding/json writes it with
// HTML escaping on (the default): '<' '>' '&' as \u003c \u003e \u0026, U+2028/U+2029 escaped,
// control bytes as \n \r \t or \u00XX, invalid UTF-8 bytes as \ufffd.
void append_go_json_string(std::string& out, std::string_view s);

}  // namespace kvsnap::gen
