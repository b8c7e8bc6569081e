#include <gtest/gtest.h>

#include "http/client_address.hpp"
#include "http/security_headers.hpp"

using namespace collabdev::http;

TEST(ClientAddress, NetworksParseAddressesAndBlocks) {
  auto n = parse_networks(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,,");
  ASSERT_EQ(n.size(), 3u);
  EXPECT_TRUE(n[0].contains(*parse_address("10.200.3.4")));
  EXPECT_FALSE(n[0].contains(*parse_address("11.0.0.1")));
  EXPECT_TRUE(n[1].contains(*parse_address("192.168.1.7")));
  EXPECT_FALSE(n[1].contains(*parse_address("192.168.1.8")));
  EXPECT_TRUE(n[2].contains(*parse_address("fd12::1")));
  EXPECT_FALSE(n[2].contains(*parse_address("10.0.0.1")));
  EXPECT_THROW(parse_networks("10.0.0.0/33"), std::invalid_argument);
  EXPECT_THROW(parse_networks("proxy.internal"), std::invalid_argument);
  EXPECT_THROW(parse_networks("10.0.0.0/x"), std::invalid_argument);
}

TEST(ClientAddress, MappedAddressesAreIpv4) {
  EXPECT_EQ(parse_address("::ffff:127.0.0.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(parse_address("[2001:db8::1]")->to_string(), "2001:db8::1");
  EXPECT_FALSE(parse_address("not an address"));
}

TEST(ClientAddress, ForwardedForOnlyFromTrustedPeers) {
  const auto trusted = parse_networks("10.0.0.0/8");
  // Untrusted peer: its header is ignored.
  EXPECT_EQ(resolve_client_address("203.0.113.9", {"198.51.100.1"}, trusted), "203.0.113.9");
  // Trusted peer: the right-most untrusted hop.
  EXPECT_EQ(resolve_client_address("10.0.0.2", {"198.51.100.1"}, trusted), "198.51.100.1");
  EXPECT_EQ(resolve_client_address("10.0.0.2", {"6.6.6.6, 198.51.100.1, 10.1.1.1"}, trusted), "198.51.100.1");
  // Several header lines are one list.
  EXPECT_EQ(resolve_client_address("10.0.0.2", {"6.6.6.6", "198.51.100.1"}, trusted), "198.51.100.1");
  // A malformed hop ends the walk at the last trusted address.
  EXPECT_EQ(resolve_client_address("10.0.0.2", {"198.51.100.1, garbage"}, trusted), "10.0.0.2");
  // No trusted proxies: always the peer.
  EXPECT_EQ(resolve_client_address("10.0.0.2", {"198.51.100.1"}, {}), "10.0.0.2");
  EXPECT_EQ(resolve_client_address("::ffff:10.0.0.2", {"[2001:db8::5]"}, trusted), "2001:db8::5");
}

TEST(SecurityHeaders, PolicyNamesOnlyAPlainHost) {
  EXPECT_NE(content_security_policy("app.example:8443").find("connect-src 'self' ws://app.example:8443 wss://app.example:8443;"),
            std::string::npos);
  const auto evil = content_security_policy("x; script-src *");
  EXPECT_EQ(evil.find("script-src *"), std::string::npos);
  EXPECT_NE(evil.find("frame-ancestors 'none'"), std::string::npos);
  bool nosniff = false;
  for (const auto& [name, value] : security_headers("h")) {
    nosniff = nosniff || (name == "X-Content-Type-Options" && value == "nosniff");
  }
  EXPECT_TRUE(nosniff);
}
