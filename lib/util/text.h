#pragma once
// Small text helpers shared by the parsers of SQL headers and the renderers.
#include <string>
#include <string_view>

namespace kvsnap {

// Without leading and trailing spaces, tabs and carriage returns.
std::string trim(std::string_view s);
std::string_view trim_view(std::string_view s);
// Newlines, carriage returns and tabs as \n, \r, \t: one value per line of output.
std::string one_line(std::string_view s);
// Text as a terminal may show it: control characters (C0 but newline and tab, DEL, C1) and bytes
// that are not UTF-8 as \xNN, so that a key holding ESC or BEL cannot retitle the terminal,
// clear the screen or hide text. For every output meant for a person (text, table, markdown,
// error messages); csv, json and ndjson keep the bytes and encode them their own way.
std::string terminal_safe(std::string_view s);

}  // namespace kvsnap
