#include <gtest/gtest.h>

#include "bus/redis_url.hpp"

namespace collabdev::bus {
namespace {

TEST(RedisUrl, ParsesHostPortPasswordAndDb) {
  auto ep = parse_redis_url("redis://:s3cret@cache.internal:6380/2");
  EXPECT_EQ(ep.host, "cache.internal");
  EXPECT_EQ(ep.port, "6380");
  EXPECT_EQ(ep.password, "s3cret");
  EXPECT_TRUE(ep.username.empty());
  EXPECT_EQ(ep.db, 2);
  EXPECT_FALSE(ep.is_unix());
  EXPECT_EQ(ep.redacted().find("s3cret"), std::string::npos);
  EXPECT_EQ(ep.redacted(), "redis://cache.internal:6380/2");
}

TEST(RedisUrl, Defaults) {
  auto ep = parse_redis_url("redis://127.0.0.1");
  EXPECT_EQ(ep.port, "6379");
  EXPECT_EQ(ep.db, 0);
  EXPECT_TRUE(ep.password.empty());
}

TEST(RedisUrl, AclUserAndPercentEncodedPassword) {
  auto ep = parse_redis_url("redis://app:p%40ss@[::1]:7000?db=3");
  EXPECT_EQ(ep.username, "app");
  EXPECT_EQ(ep.password, "p@ss");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.db, 3);
}

TEST(RedisUrl, UnixSocket) {
  auto ep = parse_redis_url("unix:///run/redis/redis.sock?db=1");
  EXPECT_TRUE(ep.is_unix());
  EXPECT_EQ(ep.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(ep.db, 1);
}

TEST(RedisUrl, RejectsWhatItCannotServe) {
  EXPECT_THROW(parse_redis_url("rediss://host:6379"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://host:6379/x"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("not a url"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://"), std::invalid_argument);
  try {
    parse_redis_url("redis://:hunter2@host/abc");
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace collabdev::bus
