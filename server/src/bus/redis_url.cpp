#include "bus/redis_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <stdexcept>

namespace collabdev::bus {
namespace {

int parse_db(std::string_view text) {
  int db = -1;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, db);
  if (ec != std::errc{} || ptr != end || db < 0) {
    throw std::invalid_argument("redis url: database must be a non-negative integer");
  }
  return db;
}

}  // namespace

std::string RedisEndpoint::redacted() const {
  std::string out = is_unix() ? "unix://" + unix_path : "redis://" + host + ":" + port;
  if (db != 0) {
    out += (is_unix() ? "?db=" : "/") + std::to_string(db);
  }
  return out;
}

RedisEndpoint parse_redis_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    // The message names the problem, not the URL: it may carry a password.
    throw std::invalid_argument("redis url is not a valid URI");
  }
  const boost::urls::url_view u = *parsed;
  RedisEndpoint ep;
  if (u.scheme() == "redis") {
    ep.host = u.host_address();
    if (ep.host.empty()) {
      throw std::invalid_argument("redis url has no host");
    }
    if (u.has_port()) {
      if (u.port_number() == 0) {
        throw std::invalid_argument("redis url has an invalid port");
      }
      ep.port = std::to_string(u.port_number());
    }
    std::string path = u.path();
    if (!path.empty() && path != "/") {
      ep.db = parse_db(std::string_view(path).substr(1));
    }
  } else if (u.scheme() == "unix") {
    ep.unix_path = u.path();
    ep.port.clear();
    if (ep.unix_path.empty()) {
      throw std::invalid_argument("unix redis url has no socket path");
    }
  } else {
    throw std::invalid_argument("redis url scheme must be redis:// or unix:// (TLS is not supported)");
  }
  if (u.has_userinfo()) {
    ep.username = u.user();
    if (u.has_password()) {
      ep.password = u.password();
    }
  }
  for (const auto& param : u.params()) {
    if (param.key == "db" && param.has_value) {
      ep.db = parse_db(param.value);
    }
  }
  return ep;
}

}  // namespace collabdev::bus
