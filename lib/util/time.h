#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvsnap {

// Parses RFC 3339 ("2024-05-02T10:11:12Z", "...12.345+02:00") into seconds since the epoch.
std::optional<int64_t> parse_rfc3339(std::string_view s);
// Formats seconds since the epoch as "2024-05-02T10:11:12Z".
std::string format_rfc3339(int64_t unix_seconds);
// The current time, formatted.
std::string now_rfc3339();

}  // namespace kvsnap
