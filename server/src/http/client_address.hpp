#pragma once
// Which address a request comes from. Behind a reverse proxy every TCP peer is the proxy, so the
// client's own address is read from X-Forwarded-For, but only when the peer is a proxy the
// operator trusts: anyone else could write any address there.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace collabdev::http {

// An address or a CIDR block such as 10.0.0.0/8 or fd00::/8.
struct Network {
  boost::asio::ip::address base;
  unsigned prefix = 0;
  bool contains(const boost::asio::ip::address& a) const;
};

// Parses a comma-separated list of addresses and CIDR blocks; throws std::invalid_argument
// naming the entry that is neither.
std::vector<Network> parse_networks(std::string_view list);

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, from a dual-stack socket) as plain IPv4.
std::optional<boost::asio::ip::address> parse_address(std::string_view text);

// The client's address: the peer itself unless it is a trusted proxy; then the right-most entry of
// X-Forwarded-For that is not a trusted proxy (entries further left were written by the client).
// `forwarded_for` holds every X-Forwarded-For header value, in order.
std::string resolve_client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                                   const std::vector<Network>& trusted);

}  // namespace collabdev::http
