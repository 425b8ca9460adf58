#include "net/ip.h"

#include <fmt/format.h>

namespace kvsnap {
namespace {

std::optional<uint32_t> parse_v4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    uint32_t v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + uint32_t(s[i] - '0');
      if (v > 255 || i - start >= 3) return std::nullopt;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return std::nullopt;
    out = (out << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<uint8_t, 16>> parse_v6(std::string_view s) {
  std::array<uint16_t, 8> groups{};
  int n = 0, gap = -1;
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
    if (i == s.size()) return std::array<uint8_t, 16>{};
  } else if (!s.empty() && s[0] == ':') {
    return std::nullopt;
  }
  while (i < s.size()) {
    if (n >= 8) return std::nullopt;
    size_t start = i;
    uint32_t v = 0;
    while (i < s.size() && hexval(s[i]) >= 0 && i - start < 4) v = v * 16 + uint32_t(hexval(s[i++]));
    if (i < s.size() && s[i] == '.') {  // embedded IPv4 in the last 32 bits
      auto v4 = parse_v4(s.substr(start));
      if (!v4 || n > 6) return std::nullopt;
      groups[n++] = uint16_t(*v4 >> 16);
      groups[n++] = uint16_t(*v4 & 0xFFFF);
      i = s.size();
      break;
    }
    if (i == start) return std::nullopt;
    groups[n++] = uint16_t(v);
    if (i == s.size()) break;
    if (s[i] != ':') return std::nullopt;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return std::nullopt;
      gap = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  if (gap < 0 && n != 8) return std::nullopt;
  if (gap >= 0 && n > 7) return std::nullopt;
  std::array<uint16_t, 8> full{};
  if (gap >= 0) {
    int tail = n - gap;
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  } else {
    full = groups;
  }
  std::array<uint8_t, 16> out{};
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = uint8_t(full[k] >> 8);
    out[2 * k + 1] = uint8_t(full[k] & 0xFF);
  }
  return out;
}

IpAddr from_v4(uint32_t v) {
  IpAddr a;
  a.v4 = true;
  a.bytes[10] = a.bytes[11] = 0xFF;
  a.bytes[12] = uint8_t(v >> 24);
  a.bytes[13] = uint8_t(v >> 16);
  a.bytes[14] = uint8_t(v >> 8);
  a.bytes[15] = uint8_t(v);
  return a;
}

bool is_v4_mapped(const std::array<uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i)
    if (b[i]) return false;
  return b[10] == 0xFF && b[11] == 0xFF;
}

}  // namespace

std::optional<IpAddr> parse_ip(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    auto v = parse_v4(text);
    if (!v) return std::nullopt;
    return from_v4(*v);
  }
  auto b = parse_v6(text);
  if (!b) return std::nullopt;
  IpAddr a;
  a.bytes = *b;
  // Go's net.ParseIP turns "::ffff:1.2.3.4" into a 4-in-6 address that prints as IPv4.
  a.v4 = is_v4_mapped(a.bytes);
  return a;
}

std::string IpAddr::to_string() const {
  if (v4) return fmt::format("{}.{}.{}.{}", bytes[12], bytes[13], bytes[14], bytes[15]);
  uint16_t g[8];
  for (int k = 0; k < 8; ++k) g[k] = uint16_t(bytes[2 * k] << 8 | bytes[2 * k + 1]);
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  int best = -1, best_len = 1;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int j = k;
    while (j < 8 && g[j] == 0) ++j;
    if (j - k > best_len) {
      best = k;
      best_len = j - k;
    }
    k = j;
  }
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", g[k]);
  }
  return out;
}

Cidr make_cidr(const IpAddr& ip, int prefix_len) {
  Cidr c;
  c.addr = ip;
  c.prefix_len = prefix_len;
  int bits = prefix_len + (ip.v4 ? 96 : 0);
  c.start = ip;
  c.end = ip;
  for (int b = 0; b < 128; ++b) {
    if (b < bits) continue;
    uint8_t mask = uint8_t(0x80 >> (b % 8));
    if (ip.bytes[b / 8] & mask) c.network_address = false;
    c.start.bytes[b / 8] &= uint8_t(~mask);
    c.end.bytes[b / 8] |= mask;
  }
  return c;
}

std::optional<Cidr> make_cidr(const IpAddr& ip, std::string_view mask, std::string* why) {
  size_t want = ip.v4 ? 4 : 16;
  // Go stores IPv4 networks with 4-byte masks; a 16-byte mask on an IPv4 address means its last 4 bytes.
  if (ip.v4 && mask.size() == 16) mask = mask.substr(12);
  if (mask.size() != want) {
    if (why) *why = fmt::format("mask has {} bytes, IPv{} needs {}", mask.size(), ip.family(), want);
    return std::nullopt;
  }
  int ones = 0;
  bool zero_seen = false;
  for (unsigned char byte : mask) {
    for (int b = 7; b >= 0; --b) {
      bool one = (byte >> b) & 1;
      if (one && zero_seen) {
        if (why) *why = "mask is not contiguous";
        return std::nullopt;
      }
      if (one)
        ++ones;
      else
        zero_seen = true;
    }
  }
  return make_cidr(ip, ones);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > (ip->v4 ? 32 : 128)) return std::nullopt;
  return make_cidr(*ip, n);
}

std::string Cidr::to_string() const {
  IpAddr net = start;
  net.v4 = addr.v4;
  return fmt::format("{}/{}", net.to_string(), prefix_len);
}

}  // namespace kvsnap
