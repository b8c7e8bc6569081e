#include <map>

#include <gtest/gtest.h>

#include "core/config.hpp"

using namespace collabdev;

namespace {
EnvLookup env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}
}  // namespace

TEST(Config, Defaults) {
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@127.0.0.1/db"}}));
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.body_limit, 1024u * 1024u);
  EXPECT_NO_THROW(validate(c));
}

TEST(Config, ReadsEveryVariable) {
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"},
                                {"REDIS_URL", "redis://127.0.0.1:6379"},
                                {"COLLABDEV_LISTEN", "0.0.0.0:9090"},
                                {"COLLABDEV_THREADS", "3"},
                                {"COLLABDEV_BODY_LIMIT", "2MiB"},
                                {"LOG_FORMAT", "json"},
                                {"LOG_LEVEL", "debug"}}));
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9090);
  EXPECT_EQ(c.threads, 3u);
  EXPECT_EQ(c.body_limit, 2u * 1024u * 1024u);
  EXPECT_NO_THROW(validate(c));
}

TEST(Config, BadValuesNameTheVariable) {
  auto expect_error = [](std::map<std::string, std::string> vars, const std::string& name) {
    vars.emplace("DATABASE_URL", "postgresql://u@h/db");
    try {
      auto c = config_from_env(env(vars));
      validate(c);
      ADD_FAILURE() << "no error for " << name;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  expect_error({{"COLLABDEV_LISTEN", "nohost"}}, "COLLABDEV_LISTEN");
  expect_error({{"COLLABDEV_LISTEN", "127.0.0.1:99999"}}, "COLLABDEV_LISTEN");
  expect_error({{"COLLABDEV_THREADS", "zero"}}, "COLLABDEV_THREADS");
  expect_error({{"COLLABDEV_BODY_LIMIT", "5GB"}}, "COLLABDEV_BODY_LIMIT");
  expect_error({{"LOG_FORMAT", "xml"}}, "LOG_FORMAT");
  expect_error({{"LOG_LEVEL", "loud"}}, "LOG_LEVEL");
  expect_error({{"REDIS_URL", "http://x"}}, "REDIS_URL");
  expect_error({{"DATABASE_URL", "mysql://x/y"}}, "DATABASE_URL");
}

TEST(Config, DatabaseTimeouts) {
  auto defaults = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"}}));
  EXPECT_GT(defaults.db_statement_timeout.count(), 0);
  EXPECT_GT(defaults.db_lock_timeout.count(), 0);
  EXPECT_GT(defaults.db_idle_in_transaction_timeout.count(), 0);
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"},
                                {"COLLABDEV_DB_STATEMENT_TIMEOUT", "2s"},
                                {"COLLABDEV_DB_LOCK_TIMEOUT", "250ms"},
                                {"COLLABDEV_DB_IDLE_IN_TRANSACTION_TIMEOUT", "0"}}));
  EXPECT_EQ(c.db_statement_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(c.db_lock_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.db_idle_in_transaction_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(parse_duration_ms("1500", "X"), std::chrono::milliseconds(1500));
  for (const char* bad : {"fast", "10m", "-1", "5000s", "s"}) {
    try {
      config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"}, {"COLLABDEV_DB_LOCK_TIMEOUT", bad}}));
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("COLLABDEV_DB_LOCK_TIMEOUT"), std::string::npos) << e.what();
    }
  }
}

TEST(Config, WebSocketAdmissionLimits) {
  auto defaults = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"}}));
  EXPECT_EQ(defaults.ws_auth_timeout, std::chrono::seconds(10));
  EXPECT_EQ(defaults.ws_max_connections, 50000u);
  EXPECT_EQ(defaults.ws_max_per_address, 200u);
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"},
                                {"COLLABDEV_WS_AUTH_TIMEOUT", "3"},
                                {"COLLABDEV_WS_MAX_CONNECTIONS", "1000"},
                                {"COLLABDEV_WS_MAX_PER_ADDRESS", "5"}}));
  EXPECT_EQ(c.ws_auth_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.ws_max_connections, 1000u);
  EXPECT_EQ(c.ws_max_per_address, 5u);
  for (const char* name : {"COLLABDEV_WS_AUTH_TIMEOUT", "COLLABDEV_WS_MAX_CONNECTIONS", "COLLABDEV_WS_MAX_PER_ADDRESS"}) {
    try {
      config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"}, {name, "0"}}));
      ADD_FAILURE() << name << "=0 accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(Config, ProxiesMetricsAndRegistrationLimit) {
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"},
                                {"COLLABDEV_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"},
                                {"COLLABDEV_METRICS_LISTEN", "127.0.0.1:9100"},
                                {"COLLABDEV_METRICS_TOKEN", "a-token-of-24-characters"},
                                {"COLLABDEV_REGISTRATIONS_PER_ADDRESS", "5"}}));
  EXPECT_EQ(c.trusted_proxies, "10.0.0.0/8,127.0.0.1");
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9100");
  EXPECT_EQ(c.metrics_token, "a-token-of-24-characters");
  EXPECT_EQ(c.registrations_per_address, 5u);
  EXPECT_THROW(config_from_env(env({{"COLLABDEV_METRICS_TOKEN", "short"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"COLLABDEV_METRICS_LISTEN", "nohost"}})), ConfigError);
  EXPECT_THROW(config_from_env(env({{"COLLABDEV_REGISTRATIONS_PER_ADDRESS", "0"}})), ConfigError);
}

TEST(Config, CallsIceServersTurnAndLiveKit) {
  auto c = config_from_env(env({{"DATABASE_URL", "postgresql://u@h/db"},
                                {"COLLABDEV_STUN_URLS", "stun:a.example:3478, stuns:b.example"},
                                {"COLLABDEV_TURN_URLS", "turn:t.example:3478?transport=udp,turns:t.example:5349"},
                                {"COLLABDEV_TURN_SECRET", "0123456789abcdef"},
                                {"COLLABDEV_TURN_TTL", "600"},
                                {"COLLABDEV_CALL_TTL", "5"},
                                {"COLLABDEV_LIVEKIT_URL", "wss://sfu.example"},
                                {"COLLABDEV_LIVEKIT_API_KEY", "key"},
                                {"COLLABDEV_LIVEKIT_API_SECRET", "0123456789abcdef0123456789abcdef"}}));
  EXPECT_EQ(c.stun_urls, (std::vector<std::string>{"stun:a.example:3478", "stuns:b.example"}));
  EXPECT_EQ(c.turn_urls.size(), 2u);
  EXPECT_EQ(c.turn_ttl, std::chrono::seconds(600));
  EXPECT_EQ(c.call_ttl, std::chrono::seconds(5));
  EXPECT_NO_THROW(validate(c));
}

TEST(Config, BadCallSettingsNameTheirVariable) {
  auto fails = [](std::map<std::string, std::string> vars, const std::string& name) {
    vars["DATABASE_URL"] = "postgresql://u@h/db";
    try {
      validate(config_from_env(env(vars)));
      ADD_FAILURE() << name << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  fails({{"COLLABDEV_STUN_URLS", "http://a.example"}}, "COLLABDEV_STUN_URLS");
  fails({{"COLLABDEV_TURN_URLS", "stun:a.example"}}, "COLLABDEV_TURN_URLS");
  fails({{"COLLABDEV_TURN_URLS", "turn:a.example"}}, "COLLABDEV_TURN_SECRET");
  fails({{"COLLABDEV_TURN_URLS", "turn:a.example"}, {"COLLABDEV_TURN_SECRET", "short"}}, "COLLABDEV_TURN_SECRET");
  fails({{"COLLABDEV_TURN_TTL", "5"}}, "COLLABDEV_TURN_TTL");
  fails({{"COLLABDEV_CALL_TTL", "0"}}, "COLLABDEV_CALL_TTL");
  fails({{"COLLABDEV_LIVEKIT_URL", "wss://sfu.example"}}, "COLLABDEV_LIVEKIT_URL");
  fails({{"COLLABDEV_LIVEKIT_URL", "ftp://sfu.example"}, {"COLLABDEV_LIVEKIT_API_KEY", "k"},
         {"COLLABDEV_LIVEKIT_API_SECRET", "0123456789abcdef0123456789abcdef"}},
        "COLLABDEV_LIVEKIT_URL");
  fails({{"COLLABDEV_LIVEKIT_URL", "wss://sfu.example"}, {"COLLABDEV_LIVEKIT_API_KEY", "k"},
         {"COLLABDEV_LIVEKIT_API_SECRET", "short"}},
        "COLLABDEV_LIVEKIT_API_SECRET");
}
