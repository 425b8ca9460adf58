#pragma once
// IP addresses and CIDRs as Cilium writes them (Go net.IP text, base64 net.IPMask), and the
// 16-byte form the database indexes: IPv6 as is, IPv4 as ::ffff:a.b.c.d, so that one BLOB
// comparison orders every address and a CIDR is the range [start, end].
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvsnap {

struct IpAddr {
  std::array<uint8_t, 16> bytes{};  // v4-mapped for IPv4
  bool v4 = false;

  std::string to_string() const;  // Go's canonical text: dotted quad, RFC 5952 for IPv6
  std::string_view blob() const { return {reinterpret_cast<const char*>(bytes.data()), 16}; }
  int family() const { return v4 ? 4 : 6; }
};

// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text (with an embedded dotted quad too).
// No zones, no surrounding spaces, no leading zeros in IPv4 octets (Go rejects them).
std::optional<IpAddr> parse_ip(std::string_view text);

struct Cidr {
  IpAddr addr;                  // as written (may have host bits set when the input was bad)
  int prefix_len = 0;           // bits within the family (0..32 or 0..128)
  IpAddr start, end;            // first and last address of the range, 16-byte form
  bool network_address = true;  // addr has no bits set past prefix_len

  std::string to_string() const;  // "10.6.6.0/24" (the network address)
};

// "10.0.0.0/24" or "fd00::/64".
std::optional<Cidr> parse_cidr(std::string_view text);
// Cilium's JSON form: IP text plus the raw mask bytes (4 or 16, decoded from base64). nullopt
// when the mask is not contiguous ones or its length does not match the family.
std::optional<Cidr> make_cidr(const IpAddr& ip, std::string_view mask_bytes, std::string* why = nullptr);
Cidr make_cidr(const IpAddr& ip, int prefix_len);

}  // namespace kvsnap
