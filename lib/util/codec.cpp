#include "util/codec.h"

#include <array>
#include <charconv>
#include <cstring>

namespace kvsnap {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_b64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kB64[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kB64Table = make_b64_table();

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  std::string out(in.size() / 4 * 3 - pad, '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t full = in.size() / 4 - (pad ? 1 : 0);
  for (size_t q = 0; q < full; ++q, p += 4) {
    int a = kB64Table[p[0]], b = kB64Table[p[1]], c = kB64Table[p[2]], d = kB64Table[p[3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>((n >> 8) & 0xFF);
    *o++ = static_cast<char>(n & 0xFF);
  }
  if (pad) {
    // The last quantum: "xx==" or "xxx=". Padding anywhere else was caught by the table (-1).
    int a = kB64Table[p[0]], b = kB64Table[p[1]];
    int c = pad == 1 ? kB64Table[p[2]] : 0;
    if ((a | b | c) < 0) return std::nullopt;
    uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6);
    *o++ = static_cast<char>(n >> 16);
    if (pad == 1) *o++ = static_cast<char>((n >> 8) & 0xFF);
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kB64[n >> 18];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) n |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kB64[n >> 18];
    out += kB64[(n >> 12) & 63];
    out += (i + 1 < in.size()) ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> hex_line_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4);
  for (size_t i = 0; i < in.size(); i += 4) {
    if (in[i] != '\\' || in[i + 1] != 'x') return std::nullopt;
    int hi = hex_digit(in[i + 2]), lo = hex_digit(in[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string hex_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> go_unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return std::nullopt;
  std::string out;
  out.reserve(q.size());
  for (size_t i = 1; i + 1 < q.size();) {
    char c = q[i];
    if (c == '"') return std::nullopt;  // unescaped quote inside
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 2 >= q.size()) return std::nullopt;
    char e = q[i + 1];
    auto hex_n = [&](size_t start, int n) -> std::optional<uint32_t> {
      if (start + n > q.size() - 1) return std::nullopt;
      uint32_t v = 0;
      for (int k = 0; k < n; ++k) {
        int d = hex_digit(q[start + k]);
        if (d < 0) return std::nullopt;
        v = v * 16 + uint32_t(d);
      }
      return v;
    };
    switch (e) {
      case 'a':
        out += '\a';
        i += 2;
        break;
      case 'b':
        out += '\b';
        i += 2;
        break;
      case 'f':
        out += '\f';
        i += 2;
        break;
      case 'n':
        out += '\n';
        i += 2;
        break;
      case 'r':
        out += '\r';
        i += 2;
        break;
      case 't':
        out += '\t';
        i += 2;
        break;
      case 'v':
        out += '\v';
        i += 2;
        break;
      case '\\':
        out += '\\';
        i += 2;
        break;
      case '"':
        out += '"';
        i += 2;
        break;
      case '\'':
        out += '\'';
        i += 2;
        break;
      case 'x': {
        auto v = hex_n(i + 2, 2);
        if (!v) return std::nullopt;
        out += static_cast<char>(*v);
        i += 4;
        break;
      }
      case 'u':
      case 'U': {
        int n = e == 'u' ? 4 : 8;
        auto v = hex_n(i + 2, n);
        if (!v || *v > 0x10FFFF || (*v >= 0xD800 && *v <= 0xDFFF)) return std::nullopt;
        append_utf8(out, *v);
        i += 2 + n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 4 >= q.size()) return std::nullopt;
          uint32_t v = 0;
          for (int k = 1; k <= 3; ++k) {
            char d = q[i + k];
            if (d < '0' || d > '7') return std::nullopt;
            v = v * 8 + uint32_t(d - '0');
          }
          if (v > 255) return std::nullopt;
          out += static_cast<char>(v);
          i += 4;
          break;
        }
        return std::nullopt;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    // Eight ASCII bytes at a time: keys and label strings are ASCII but for a rare byte.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i == n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else
      return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_i64(std::string_view s) {
  if (s.empty() || s[0] == '+') return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_hex_u64(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + uint64_t(d);
  }
  return v;
}

}  // namespace kvsnap
