#include "core/config.hpp"

#include <charconv>

#include <boost/url/parse.hpp>

namespace collabdev {

namespace {

std::string env_or(const EnvLookup& lookup, const char* name, const std::string& fallback) {
  const char* v = lookup(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}

void check_url(const std::string& value, const std::string& name, std::initializer_list<std::string_view> schemes) {
  if (value.empty()) {
    return;
  }
  auto r = boost::urls::parse_uri(value);
  if (!r) {
    throw ConfigError(name + ": not a valid URL");
  }
  for (auto s : schemes) {
    if (r->scheme() == s) {
      return;
    }
  }
  std::string list;
  for (auto s : schemes) {
    list += list.empty() ? "" : ", ";
    list += s;
  }
  throw ConfigError(name + ": the URL scheme must be one of " + list);
}

std::vector<std::string> comma_list(const std::string& v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    const auto comma = v.find(',', start);
    auto item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') {
      item.erase(item.begin());
    }
    while (!item.empty() && item.back() == ' ') {
      item.pop_back();
    }
    if (!item.empty()) {
      out.push_back(item);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

// ICE server URLs (RFC 7064/7065): `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`.
std::vector<std::string> ice_urls(const std::string& v, const char* name, std::initializer_list<std::string_view> schemes) {
  auto urls = comma_list(v);
  for (const auto& u : urls) {
    bool ok = false;
    for (auto s : schemes) {
      if (u.size() > s.size() + 1 && u.starts_with(s) && u[s.size()] == ':') {
        ok = true;
      }
    }
    if (!ok || u.size() > 512 || u.find_first_of(" \"<>") != std::string::npos) {
      std::string list;
      for (auto s : schemes) {
        list += list.empty() ? "" : " or ";
        list += std::string(s) + ":host:port";
      }
      throw ConfigError(std::string(name) + ": expected comma-separated " + list + ", got '" + u + "'");
    }
  }
  return urls;
}

}  // namespace

unsigned parse_unsigned(const std::string& value, const std::string& name, unsigned min, unsigned max) {
  unsigned n = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), n);
  if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || n < min || n > max) {
    throw ConfigError(name + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", got '" + value + "'");
  }
  return n;
}

std::size_t parse_size(const std::string& value, const std::string& name) {
  std::size_t n = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), n);
  std::string_view unit(r.ptr, value.data() + value.size());
  std::size_t mult = 1;
  if (unit == "" || unit == "B") {
    mult = 1;
  } else if (unit == "K" || unit == "KiB") {
    mult = 1024;
  } else if (unit == "M" || unit == "MiB") {
    mult = 1024 * 1024;
  } else {
    throw ConfigError(name + ": expected a size such as 1048576, 512KiB or 1MiB, got '" + value + "'");
  }
  if (r.ec != std::errc{} || n == 0 || n > (std::size_t{1} << 30) / mult) {
    throw ConfigError(name + ": expected a size from 1 byte to 1 GiB, got '" + value + "'");
  }
  return n * mult;
}

std::chrono::milliseconds parse_duration_ms(const std::string& value, const std::string& name) {
  std::uint64_t n = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), n);
  const std::string_view unit(r.ptr, value.data() + value.size());
  std::uint64_t mult = 0;
  if (unit == "" || unit == "ms") {
    mult = 1;
  } else if (unit == "s") {
    mult = 1000;
  }
  if (r.ec != std::errc{} || r.ptr == value.data() || mult == 0 || n > 3600000 / mult) {
    throw ConfigError(name + ": expected a duration such as 500ms or 10s (0: off, at most 1 hour), got '" + value + "'");
  }
  return std::chrono::milliseconds(n * mult);
}

ListenAddress parse_listen(const std::string& value, const std::string& name) {
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError(name + ": expected host:port, got '" + value + "'");
  }
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parse_unsigned(value.substr(colon + 1), name + " port", 0, 65535);
  return {host, static_cast<std::uint16_t>(port)};
}

Config config_from_env(const EnvLookup& lookup) {
  Config c;
  c.database_url = env_or(lookup, "DATABASE_URL", "");
  c.redis_url = env_or(lookup, "REDIS_URL", "");
  c.neo4j_url = env_or(lookup, "NEO4J_URL", "");
  c.neo4j_user = env_or(lookup, "NEO4J_USER", "");
  c.neo4j_password = env_or(lookup, "NEO4J_PASSWORD", "");
  c.neo4j_database = env_or(lookup, "NEO4J_DATABASE", "neo4j");
  const auto listen = parse_listen(env_or(lookup, "COLLABDEV_LISTEN", "127.0.0.1:8080"), "COLLABDEV_LISTEN");
  c.listen_host = listen.host;
  c.listen_port = listen.port;
  if (const auto v = env_or(lookup, "COLLABDEV_THREADS", ""); !v.empty()) {
    c.threads = parse_unsigned(v, "COLLABDEV_THREADS", 1, 256);
  }
  c.web_root = env_or(lookup, "COLLABDEV_WEB_ROOT", "");
  c.migrations_dir = env_or(lookup, "COLLABDEV_MIGRATIONS_DIR", "");
  c.log_level = env_or(lookup, "LOG_LEVEL", "info");
  c.log_format = env_or(lookup, "LOG_FORMAT", "text");
  if (const auto v = env_or(lookup, "COLLABDEV_BODY_LIMIT", ""); !v.empty()) {
    c.body_limit = parse_size(v, "COLLABDEV_BODY_LIMIT");
  }
  if (const auto v = env_or(lookup, "COLLABDEV_FILE_MAX_BYTES", ""); !v.empty()) {
    c.file_max_bytes = parse_size(v, "COLLABDEV_FILE_MAX_BYTES");
  }
  if (const auto v = env_or(lookup, "COLLABDEV_PROJECT_MAX_BYTES", ""); !v.empty()) {
    c.project_max_bytes = parse_size(v, "COLLABDEV_PROJECT_MAX_BYTES");
  }
  if (const auto v = env_or(lookup, "COLLABDEV_FILE_LOG_KEEP", ""); !v.empty()) {
    c.file_log_keep = parse_unsigned(v, "COLLABDEV_FILE_LOG_KEEP", 10, 1000000);
  }
  if (const auto v = env_or(lookup, "COLLABDEV_DB_POOL_SIZE", ""); !v.empty()) {
    c.db_pool_size = parse_unsigned(v, "COLLABDEV_DB_POOL_SIZE", 1, 1000);
  }
  for (auto [name, field] : {std::pair{"COLLABDEV_DB_STATEMENT_TIMEOUT", &Config::db_statement_timeout},
                              std::pair{"COLLABDEV_DB_LOCK_TIMEOUT", &Config::db_lock_timeout},
                              std::pair{"COLLABDEV_DB_IDLE_IN_TRANSACTION_TIMEOUT",
                                        &Config::db_idle_in_transaction_timeout},
                              std::pair{"COLLABDEV_REQUEST_TIMEOUT", &Config::request_timeout}}) {
    if (const auto v = env_or(lookup, name, ""); !v.empty()) {
      c.*field = parse_duration_ms(v, name);
    }
  }
  if (const auto v = env_or(lookup, "COLLABDEV_SESSION_TTL_HOURS", ""); !v.empty()) {
    c.session_ttl = std::chrono::hours(parse_unsigned(v, "COLLABDEV_SESSION_TTL_HOURS", 1, 24 * 365));
  }
  if (const auto v = env_or(lookup, "COLLABDEV_HASH_THREADS", ""); !v.empty()) {
    c.hash_threads = parse_unsigned(v, "COLLABDEV_HASH_THREADS", 1, 64);
  }
  if (const auto v = env_or(lookup, "COLLABDEV_WS_AUTH_TIMEOUT", ""); !v.empty()) {
    c.ws_auth_timeout = std::chrono::seconds(parse_unsigned(v, "COLLABDEV_WS_AUTH_TIMEOUT", 1, 3600));
  }
  if (const auto v = env_or(lookup, "COLLABDEV_WS_MAX_CONNECTIONS", ""); !v.empty()) {
    c.ws_max_connections = parse_unsigned(v, "COLLABDEV_WS_MAX_CONNECTIONS", 1, 10000000);
  }
  if (const auto v = env_or(lookup, "COLLABDEV_WS_MAX_PER_ADDRESS", ""); !v.empty()) {
    c.ws_max_per_address = parse_unsigned(v, "COLLABDEV_WS_MAX_PER_ADDRESS", 1, 10000000);
  }
  if (const auto v = env_or(lookup, "COLLABDEV_REGISTRATIONS_PER_ADDRESS", ""); !v.empty()) {
    c.registrations_per_address = parse_unsigned(v, "COLLABDEV_REGISTRATIONS_PER_ADDRESS", 1, 1000000);
  }
  c.trusted_proxies = env_or(lookup, "COLLABDEV_TRUSTED_PROXIES", "");
  c.metrics_listen = env_or(lookup, "COLLABDEV_METRICS_LISTEN", "");
  if (!c.metrics_listen.empty()) {
    parse_listen(c.metrics_listen, "COLLABDEV_METRICS_LISTEN");
  }
  c.metrics_token = env_or(lookup, "COLLABDEV_METRICS_TOKEN", "");
  if (!c.metrics_token.empty() && c.metrics_token.size() < 16) {
    throw ConfigError("COLLABDEV_METRICS_TOKEN: expected at least 16 characters");
  }
  if (const auto v = env_or(lookup, "COLLABDEV_COOKIE_SECURE", ""); !v.empty()) {
    if (v != "true" && v != "false" && v != "1" && v != "0") {
      throw ConfigError("COLLABDEV_COOKIE_SECURE: expected true or false, got '" + v + "'");
    }
    c.cookie_secure = (v == "true" || v == "1");
  }
  if (const auto v = env_or(lookup, "COLLABDEV_ALLOWED_ORIGINS", ""); !v.empty()) {
    std::size_t start = 0;
    while (start <= v.size()) {
      const auto comma = v.find(',', start);
      auto item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) {
        check_url(item, "COLLABDEV_ALLOWED_ORIGINS", {"http", "https"});
        c.allowed_origins.push_back(item);
      }
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  c.stun_urls = ice_urls(env_or(lookup, "COLLABDEV_STUN_URLS", ""), "COLLABDEV_STUN_URLS", {"stun", "stuns"});
  c.turn_urls = ice_urls(env_or(lookup, "COLLABDEV_TURN_URLS", ""), "COLLABDEV_TURN_URLS", {"turn", "turns"});
  c.turn_secret = env_or(lookup, "COLLABDEV_TURN_SECRET", "");
  if (const auto v = env_or(lookup, "COLLABDEV_TURN_TTL", ""); !v.empty()) {
    c.turn_ttl = std::chrono::seconds(parse_unsigned(v, "COLLABDEV_TURN_TTL", 60, 7 * 24 * 3600));
  }
  if (const auto v = env_or(lookup, "COLLABDEV_CALL_TTL", ""); !v.empty()) {
    c.call_ttl = std::chrono::seconds(parse_unsigned(v, "COLLABDEV_CALL_TTL", 1, 3600));
  }
  c.livekit_url = env_or(lookup, "COLLABDEV_LIVEKIT_URL", "");
  c.livekit_api_key = env_or(lookup, "COLLABDEV_LIVEKIT_API_KEY", "");
  c.livekit_api_secret = env_or(lookup, "COLLABDEV_LIVEKIT_API_SECRET", "");
  return c;
}

void validate(const Config& c) {
  if (c.database_url.empty()) {
    throw ConfigError("DATABASE_URL: required (a PostgreSQL URL such as postgresql://user@127.0.0.1:5432/collabdev)");
  }
  check_url(c.database_url, "DATABASE_URL", {"postgresql", "postgres"});
  check_url(c.redis_url, "REDIS_URL", {"redis", "unix"});
  // The mirror speaks plain HTTP to a Neo4j beside the server (the Query API client has no TLS).
  check_url(c.neo4j_url, "NEO4J_URL", {"http"});
  if (c.neo4j_database.empty() || c.neo4j_database.size() > 63 ||
      c.neo4j_database.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos) {
    throw ConfigError("NEO4J_DATABASE: expected a Neo4j database name (a-z, 0-9, '.', '-'), got '" + c.neo4j_database + "'");
  }
  if (c.neo4j_user.empty() != c.neo4j_password.empty()) {
    throw ConfigError("NEO4J_USER and NEO4J_PASSWORD: give both or neither");
  }
  if (!c.turn_urls.empty() && c.turn_secret.size() < 16) {
    throw ConfigError("COLLABDEV_TURN_SECRET: required with COLLABDEV_TURN_URLS, at least 16 characters");
  }
  const bool any_livekit = !c.livekit_url.empty() || !c.livekit_api_key.empty() || !c.livekit_api_secret.empty();
  if (any_livekit) {
    if (c.livekit_url.empty() || c.livekit_api_key.empty() || c.livekit_api_secret.empty()) {
      throw ConfigError("COLLABDEV_LIVEKIT_URL: give COLLABDEV_LIVEKIT_URL, _API_KEY and _API_SECRET together");
    }
    check_url(c.livekit_url, "COLLABDEV_LIVEKIT_URL", {"ws", "wss", "http", "https"});
    if (c.livekit_api_secret.size() < 32) {
      throw ConfigError("COLLABDEV_LIVEKIT_API_SECRET: expected at least 32 characters");
    }
  }
  static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels)) {
    throw ConfigError("LOG_LEVEL: expected trace, debug, info, warn, error, critical or off, got '" + c.log_level + "'");
  }
  if (c.log_format != "text" && c.log_format != "json") {
    throw ConfigError("LOG_FORMAT: expected text or json, got '" + c.log_format + "'");
  }
}

}  // namespace collabdev
