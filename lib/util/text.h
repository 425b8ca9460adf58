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

}  // namespace kvsnap
