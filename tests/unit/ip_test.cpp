#include <doctest/doctest.h>

#include "net/ip.h"
#include "util/codec.h"

using namespace kvsnap;

TEST_CASE("IPv4 and IPv6 parse into one ordered 16-byte form and print as Go does") {
  auto a = parse_ip("10.6.6.43").value();
  CHECK(a.v4);
  CHECK(a.to_string() == "10.6.6.43");
  CHECK(hex_encode(a.blob()) == "00000000000000000000ffff0a06062b");
  for (const char* s : {"fd00:10:244:1::8e7a", "::", "::1", "fe80::1:0:0:1", "2001:db8::", "1:2:3:4:5:6:7:8"})
    CHECK(parse_ip(s).value().to_string() == s);
  CHECK(parse_ip("FD00:0:0:0:0:0:0:1").value().to_string() == "fd00::1");
  CHECK(parse_ip("1:0:0:1:0:0:0:1").value().to_string() == "1:0:0:1::1");  // longest zero run
  CHECK(parse_ip("::ffff:1.2.3.4").value().to_string() == "1.2.3.4");      // 4-in-6 prints as IPv4
  for (const char* s : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", ":1",
                        "1:", "10.0.0.1 ", "gggg::"})
    CHECK_MESSAGE(!parse_ip(s).has_value(), s);
  CHECK(parse_ip("9.255.255.255")->blob() < parse_ip("10.0.0.0")->blob());
}

TEST_CASE("CIDRs from Cilium's base64 masks") {
  auto ip = parse_ip("10.6.6.0").value();
  auto c = make_cidr(ip, base64_decode("////AA==").value()).value();
  CHECK(c.prefix_len == 24);
  CHECK(c.to_string() == "10.6.6.0/24");
  CHECK(c.network_address);
  CHECK(c.start.blob() == parse_ip("10.6.6.0")->blob());
  CHECK(c.end.blob() == parse_ip("10.6.6.255")->blob());
  auto v6 = make_cidr(parse_ip("fd00:10:1:1::").value(), base64_decode("////////////////////AA==").value()).value();
  CHECK(v6.to_string() == "fd00:10:1:1::/120");
  std::string why;
  CHECK_FALSE(make_cidr(ip, base64_decode("//8A/w==").value(), &why).has_value());
  CHECK(why == "mask is not contiguous");
  CHECK_FALSE(make_cidr(ip, base64_decode("////////////////////AA==").value().substr(0, 8), &why).has_value());
  auto host_bits = make_cidr(parse_ip("10.6.6.7").value(), base64_decode("////AA==").value()).value();
  CHECK_FALSE(host_bits.network_address);
  CHECK(host_bits.to_string() == "10.6.6.0/24");
  CHECK(parse_cidr("10.0.0.0/8")->end.to_string() == "10.255.255.255");
  CHECK_FALSE(parse_cidr("10.0.0.0/33").has_value());
}
