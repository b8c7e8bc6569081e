#pragma once
// Server configuration: environment variables first, command-line flags override them.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace collabdev {

struct Config {
  std::string database_url;
  std::string redis_url;   // empty: in-process bus, single instance
  std::string neo4j_url;   // empty: no graph mirror, graph queries on PostgreSQL
  std::string neo4j_user;      // empty: Neo4j without authentication
  std::string neo4j_password;
  std::string neo4j_database = "neo4j";
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;    // 0: one per core
  std::string web_root;    // empty: no static files
  std::string migrations_dir;
  std::string log_level = "info";
  std::string log_format = "text";
  std::size_t body_limit = 1024 * 1024;
  std::size_t db_pool_size = 16;
  std::chrono::milliseconds db_acquire_timeout{3000};
  // PostgreSQL session timeouts of every pool connection (0: none).
  std::chrono::milliseconds db_statement_timeout{10000};
  // The longest one HTTP request may take before it is answered 503 (0: no deadline).
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds db_lock_timeout{5000};
  std::chrono::milliseconds db_idle_in_transaction_timeout{30000};
  std::chrono::seconds session_ttl{30 * 24 * 3600};
  bool cookie_secure = false;          // set when served behind TLS
  std::vector<std::string> allowed_origins;  // extra origins trusted for cookie-authenticated writes
  unsigned hash_threads = 2;           // argon2id worker pool size
  unsigned registrations_per_address = 60;  // accounts one client address may register per hour
  std::string trusted_proxies;         // comma-separated addresses or CIDR blocks (X-Forwarded-For)
  std::string metrics_listen;          // host:port of a separate /metrics listener; empty: none
  std::string metrics_token;           // bearer token for /metrics; empty: none
  bool migrate_on_start = true;
  // WebSocket admission control.
  std::chrono::seconds ws_auth_timeout{10};  // unauthenticated sockets are closed after this
  unsigned ws_max_connections = 50000;       // per instance
  unsigned ws_max_per_address = 200;         // per client address
  std::size_t file_max_bytes = 1024 * 1024;            // one file's text (UTF-8 bytes)
  std::size_t project_max_bytes = 100 * 1024 * 1024;   // all files of a project together
  std::size_t file_log_keep = 1000;                    // edit log entries kept per file after compaction
  // Calls: ICE servers handed to participants, TURN credentials in coturn's use-auth-secret scheme,
  // the optional LiveKit SFU, and how long a participant may be away from the call room.
  std::vector<std::string> stun_urls;   // stun:host:port
  std::vector<std::string> turn_urls;   // turn:host:port?transport=udp, turns:...
  std::string turn_secret;              // coturn's static-auth-secret; required with turn_urls
  std::chrono::seconds turn_ttl{3600};  // lifetime of one TURN credential
  std::chrono::seconds call_ttl{30};    // a participant absent from the call room this long is dropped
  std::string livekit_url;              // ws(s):// of livekit-server; empty: full mesh only
  std::string livekit_api_key;
  std::string livekit_api_secret;
};

// A bad value; the message names the variable or flag, and main exits with code 2.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads DATABASE_URL, REDIS_URL, NEO4J_URL and COLLABDEV_* variables, validating each value.
Config config_from_env(const EnvLookup& lookup);
// Checks the whole configuration after flags were applied.
void validate(const Config& c);
struct ListenAddress {
  std::string host;
  std::uint16_t port;
};
ListenAddress parse_listen(const std::string& value, const std::string& name);
std::size_t parse_size(const std::string& value, const std::string& name);
// A duration in milliseconds: `500`, `500ms`, `10s` or `0` (off); at most an hour.
std::chrono::milliseconds parse_duration_ms(const std::string& value, const std::string& name);
unsigned parse_unsigned(const std::string& value, const std::string& name, unsigned min, unsigned max);

}  // namespace collabdev
