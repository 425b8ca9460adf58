#include "io/limits.h"

#include <fmt/format.h>

namespace kvsnap {

std::string quote_bytes(std::string_view s) {
  constexpr size_t kShown = 100;
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kShown; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += char(c);
    }
  }
  out += '"';
  if (s.size() > kShown) out += fmt::format("... ({} bytes)", s.size());
  return out;
}

std::string human_bytes(uint64_t n) {
  if (n >= 995'000'000) return fmt::format("{:.1f} GB", double(n) / 1e9);  // 999,999,000: "1.0 GB"
  if (n >= 1'000'000) return fmt::format("{:.0f} MB", double(n) / 1e6);
  if (n >= 1'000) return fmt::format("{:.0f} KB", double(n) / 1e3);
  return fmt::format("{} bytes", n);
}

namespace {
std::string size_text(uint64_t size, bool at_least) {
  return at_least ? fmt::format("more than {} ({} bytes read)", human_bytes(kMaxValueBytes), size)
                  : fmt::format("{} ({} bytes)", human_bytes(size), size);
}
}  // namespace

std::string value_too_big(std::string_view key, uint64_t size, bool at_least) {
  return fmt::format("value of key {} is {}; SQLite stores at most 1 GB per value (and per row)", quote_bytes(key),
                     size_text(size, at_least));
}

std::string key_too_big(std::string_view key_start, uint64_t size, bool at_least) {
  return fmt::format("key {} is {}; SQLite stores at most 1 GB per key (and per row)", quote_bytes(key_start),
                     size_text(size, at_least));
}

}  // namespace kvsnap
