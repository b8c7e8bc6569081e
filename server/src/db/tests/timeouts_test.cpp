// The pool's session timeouts: set on every connection (alongside the conninfo's own options),
// they cancel a slow statement or a lock wait with an error the server maps to 503.
#include <gtest/gtest.h>

#include "db/tests/test_support.hpp"

namespace collabdev::db {
namespace {

using namespace std::chrono_literals;
using testing::IoThreads;

constexpr Statement kSleep{"test.timeouts.sleep", "SELECT pg_sleep($1::float8)"};
constexpr Statement kAdvisoryLock{"test.timeouts.lock", "SELECT pg_advisory_lock($1::int8)"};
constexpr Statement kAdvisoryUnlock{"test.timeouts.unlock", "SELECT pg_advisory_unlock($1::int8)"};
constexpr Statement kShow{"test.timeouts.show",
                          "SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, "
                          "current_setting('idle_in_transaction_session_timeout') AS it, "
                          "current_setting('work_mem') AS wm"};
constexpr std::int64_t kKey = 0x54696d656f757473;  // "Timeouts"

class TimeoutsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::test_database_url();
    if (!url_) {
      GTEST_SKIP() << "TEST_DATABASE_URL is not set";
    }
  }
  std::shared_ptr<Pool> make_pool(std::string url, std::chrono::milliseconds statement,
                                  std::chrono::milliseconds lock, std::chrono::milliseconds idle) {
    PoolOptions o{std::move(url), 2, 5000ms, 5000ms};
    o.statement_timeout = statement;
    o.lock_timeout = lock;
    o.idle_in_transaction_timeout = idle;
    return Pool::create(io_.get_executor(), o);
  }
  std::optional<std::string> url_;
  IoThreads io_;
};

TEST_F(TimeoutsTest, EveryConnectionHasThemAndKeepsTheConninfoOptions) {
  const std::string url = *url_ + (url_->find('?') == std::string::npos ? "?" : "&") + "options=-c%20work_mem%3D7MB";
  auto pool = make_pool(url, 1500ms, 700ms, 9000ms);
  const Result r = io_.run([&]() -> awaitable<Result> { co_return co_await pool->query(kShow); });
  EXPECT_EQ(r.get(0, "st"), "1500ms");
  EXPECT_EQ(r.get(0, "lt"), "700ms");
  EXPECT_EQ(r.get(0, "it"), "9s");
  EXPECT_EQ(r.get(0, "wm"), "7MB");
  pool->close();
}

TEST_F(TimeoutsTest, SlowStatementIsCancelledAndTheConnectionReused) {
  auto pool = make_pool(*url_, 200ms, 0ms, 0ms);
  try {
    io_.run([&]() -> awaitable<Result> { co_return co_await pool->query(kSleep, 5.0); });
    ADD_FAILURE() << "pg_sleep(5) was not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "57014");
    EXPECT_TRUE(e.is_timeout());
  }
  const Result r = io_.run([&]() -> awaitable<Result> { co_return co_await pool->query(kSleep, 0.0); });
  EXPECT_EQ(r.rows(), 1);
  pool->close();
}

TEST_F(TimeoutsTest, LockWaitIsCancelled) {
  auto holder = make_pool(*url_, 0ms, 0ms, 0ms);
  auto waiter = make_pool(*url_, 0ms, 200ms, 0ms);
  io_.run([&]() -> awaitable<void> {
    auto conn = co_await holder->acquire();
    co_await conn.query(kAdvisoryLock, kKey);
    std::optional<Error> failure;
    try {
      co_await waiter->query(kAdvisoryLock, kKey);
    } catch (const Error& e) {
      failure = e;
    }
    co_await conn.query(kAdvisoryUnlock, kKey);
    EXPECT_TRUE(failure && failure->sqlstate() == "55P03" && failure->is_timeout())
        << (failure ? failure->sqlstate() : "no error");
  });
  holder->close();
  waiter->close();
}

}  // namespace
}  // namespace collabdev::db
