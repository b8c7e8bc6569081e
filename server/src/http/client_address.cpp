#include "http/client_address.hpp"

#include <charconv>
#include <stdexcept>

namespace collabdev::http {

namespace asio_ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_trusted(const asio_ip::address& a, const std::vector<Network>& trusted) {
  for (const auto& n : trusted) {
    if (n.contains(a)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<asio_ip::address> parse_address(std::string_view text) {
  // Proxies may write "[2001:db8::1]" or "[2001:db8::1]:443"; plain IPv6 has no brackets.
  if (text.size() > 2 && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    text = text.substr(1, close - 1);
  }
  boost::system::error_code ec;
  auto a = asio_ip::make_address(std::string(text), ec);
  if (ec) {
    return std::nullopt;
  }
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio_ip::address(asio_ip::make_address_v4(asio_ip::v4_mapped, a.to_v6()));
  }
  return a;
}

bool Network::contains(const asio_ip::address& a) const {
  if (a.is_v4() != base.is_v4()) {
    return false;
  }
  auto match = [this](const auto& x, const auto& y) {
    unsigned bits = prefix;
    for (std::size_t i = 0; i < x.size() && bits > 0; ++i) {
      const unsigned take = std::min(bits, 8u);
      const auto mask = static_cast<unsigned char>(0xff << (8 - take));
      if ((x[i] & mask) != (y[i] & mask)) {
        return false;
      }
      bits -= take;
    }
    return true;
  };
  if (a.is_v4()) {
    return match(a.to_v4().to_bytes(), base.to_v4().to_bytes());
  }
  return match(a.to_v6().to_bytes(), base.to_v6().to_bytes());
}

std::vector<Network> parse_networks(std::string_view list) {
  std::vector<Network> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    const auto slash = item.find('/');
    auto a = parse_address(item.substr(0, slash));
    if (!a) {
      throw std::invalid_argument("'" + std::string(item) + "' is not an IP address or CIDR block");
    }
    const unsigned max = a->is_v4() ? 32 : 128;
    unsigned prefix = max;
    if (slash != std::string_view::npos) {
      const auto digits = item.substr(slash + 1);
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size() || prefix > max) {
        throw std::invalid_argument("'" + std::string(item) + "' has a bad prefix length");
      }
    }
    out.push_back({*a, prefix});
  }
  return out;
}

std::string resolve_client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                                   const std::vector<Network>& trusted) {
  auto current = parse_address(peer);
  if (!current) {
    return std::string(peer);
  }
  if (trusted.empty() || forwarded_for.empty()) {
    return current->to_string();
  }
  // Walk from the nearest hop outwards; stop at the first address not written by a trusted proxy.
  std::vector<std::string_view> hops;
  for (auto header : forwarded_for) {
    while (!header.empty()) {
      const auto comma = header.find(',');
      hops.push_back(trim(header.substr(0, comma)));
      header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!is_trusted(*current, trusted)) {
      break;
    }
    auto next = parse_address(*it);
    if (!next) {
      // A malformed entry: what lies beyond it cannot be trusted either.
      break;
    }
    current = next;
  }
  return current->to_string();
}

}  // namespace collabdev::http
