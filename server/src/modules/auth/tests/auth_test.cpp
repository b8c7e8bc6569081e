#include <gtest/gtest.h>

#include "modules/auth/auth.hpp"
#include "modules/auth/rate_limiter.hpp"

using namespace collabdev::auth;

TEST(Auth, TokensAreRandomAndHashed) {
  auto a = new_token();
  auto b = new_token();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 43u);  // 256 bits, base64url without padding
  EXPECT_EQ(token_hash(a).size(), 64u);
  EXPECT_EQ(token_hash(a), token_hash(a));
  EXPECT_NE(token_hash(a), token_hash(b));
}

TEST(Auth, EmailShape) {
  EXPECT_TRUE(valid_email("ada@example.com"));
  EXPECT_FALSE(valid_email("ada@example"));
  EXPECT_FALSE(valid_email("ada example@x.com"));
  EXPECT_FALSE(valid_email("@x.com"));
  EXPECT_FALSE(valid_email("a@@x.com"));
}

TEST(Auth, FailureLimiterWindow) {
  FailureLimiter l(3, std::chrono::seconds(60));
  auto t0 = FailureLimiter::clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(l.retry_after("k", t0), 0);
    l.record_failure("k", t0);
  }
  EXPECT_GT(l.retry_after("k", t0), 0);
  EXPECT_EQ(l.retry_after("other", t0), 0);
  EXPECT_EQ(l.retry_after("k", t0 + std::chrono::seconds(61)), 0);
}
