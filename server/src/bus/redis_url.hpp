#pragma once
// Where Redis is and how to log in, parsed from REDIS_URL.
#include <string>
#include <string_view>

namespace collabdev::bus {

struct RedisEndpoint {
  std::string host;       // TCP host (empty for a unix socket)
  std::string port = "6379";
  std::string unix_path;  // set for unix:///path
  std::string username;   // Redis 6 ACL user; empty means the default user
  std::string password;   // never logged
  int db = 0;

  bool is_unix() const { return !unix_path.empty(); }
  // The URL without credentials, for logs.
  std::string redacted() const;
};

// Accepts redis://[[user]:password@]host[:port][/db] and unix:///path[?db=N]; the database may
// also be given as ?db=N. Throws std::invalid_argument on anything else (a configuration error).
RedisEndpoint parse_redis_url(std::string_view url);

}  // namespace collabdev::bus
