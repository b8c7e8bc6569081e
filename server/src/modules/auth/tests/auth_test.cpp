#include <gtest/gtest.h>

#include "modules/auth/auth.hpp"
#include "modules/auth/rate_limiter.hpp"

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

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

TEST(PasswordHasher, RegistrationsHoldOnlyAShareOfTheQueue) {
  namespace asio = collabdev::asio;
  asio::io_context ioc;
  PasswordHasher hasher(1, 8);  // registrations: at most 8 / 4 = 2 at once
  auto stored = asio::co_spawn(ioc, hasher.hash("sign-in password"), asio::use_future);
  ioc.run();
  const std::string hash = stored.get();
  ioc.restart();

  // All spawned before any runs: each takes its place in the queue before the first hash ends.
  std::vector<std::future<std::string>> regs;
  for (int i = 0; i < 4; ++i) {
    regs.push_back(asio::co_spawn(ioc, hasher.hash("registration pw", HashUse::registration), asio::use_future));
  }
  std::vector<std::future<bool>> signins;
  for (int i = 0; i < 6; ++i) {
    signins.push_back(asio::co_spawn(ioc, hasher.verify(hash, "sign-in password"), asio::use_future));
  }
  ioc.run();
  int refused = 0;
  for (auto& f : regs) {
    try {
      EXPECT_FALSE(f.get().empty());
    } catch (const collabdev::ProblemError& e) {
      EXPECT_EQ(e.problem().status, 503);
      ASSERT_EQ(e.problem().headers.size(), 1u);
      EXPECT_EQ(e.problem().headers[0].first, "Retry-After");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 2);
  for (auto& f : signins) {
    EXPECT_TRUE(f.get());  // 2 registrations + 6 sign-ins fit in the 8 places
  }
}
