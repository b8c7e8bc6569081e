// The pool against the shared test database (TEST_DATABASE_URL); skipped when it is unset.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <boost/asio/ip/tcp.hpp>
#include <limits>

#include "db/tests/test_support.hpp"

namespace collabdev::db {
namespace {

using namespace std::chrono_literals;
using testing::IoThreads;
using testing::seconds_since;

constexpr Statement kEcho{
    "test.pool.echo",
    "SELECT $1::text AS a, $2::text AS b, $3::int8 AS c, $4::bool AS d, $5::float8 AS e, "
    "$6::text AS f, length($2::text) AS chars, octet_length($2::text) AS bytes"};
constexpr Statement kSelectOne{"test.pool.one", "SELECT 1 AS one"};
constexpr Statement kPreparedCount{
    "test.pool.prepared_count",
    "SELECT count(*) AS n FROM pg_prepared_statements WHERE name = $1"};
constexpr Statement kBackendPid{"test.pool.pid", "SELECT pg_backend_pid() AS pid"};

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::test_database_url();
    if (!url_) {
      GTEST_SKIP() << "TEST_DATABASE_URL is not set";
    }
  }

  std::shared_ptr<Pool> make_pool(std::size_t max_size,
                                  std::chrono::milliseconds acquire_timeout = 5000ms) {
    return Pool::create(io_.get_executor(),
                        PoolOptions{*url_, max_size, acquire_timeout, 5000ms});
  }

  // A table visible to every connection, unique to this process.
  std::string table_name(std::string_view what) {
    return "db_test_" + std::string(what) + "_" + std::to_string(::getpid());
  }

  std::optional<std::string> url_;
  IoThreads io_;
};

TEST_F(PoolTest, ParamsNullAndUnicode) {
  auto pool = make_pool(2);
  const std::string text = "h\xC3\xA9llo \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89";
  const Result result = io_.run([&]() -> awaitable<Result> {
    co_return co_await pool->query(
        kEcho, std::nullopt, text, std::numeric_limits<std::int64_t>::max(), true, 1.5,
        std::optional<std::string>{});
  });
  ASSERT_EQ(result.rows(), 1);
  EXPECT_TRUE(result.is_null(0, 0));
  EXPECT_FALSE(result.get_optional(0, "a").has_value());
  EXPECT_EQ(result.get(0, "b"), text);
  EXPECT_EQ(result.get_optional(0, "b").value(), text);
  EXPECT_EQ(result.get_int(0, "c"), std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(result.get_bool(0, "d"));
  EXPECT_EQ(result.get(0, "e"), "1.5");
  EXPECT_TRUE(result.is_null(0, result.column("f")));
  // The server saw UTF-8: 12 characters in 22 bytes.
  EXPECT_EQ(result.get_int(0, "chars"), 12);
  EXPECT_EQ(result.get_int(0, "bytes"), static_cast<std::int64_t>(text.size()));
  EXPECT_THROW(result.column("missing"), std::out_of_range);
  EXPECT_THROW(result.get(1, 0), std::out_of_range);
}

TEST_F(PoolTest, StatementPreparedOncePerConnection) {
  auto pool = make_pool(1);
  io_.run([&]() -> awaitable<void> {
    auto conn = co_await pool->acquire();
    for (int i = 0; i < 3; ++i) {
      const Result one = co_await conn.query(kSelectOne);
      EXPECT_EQ(one.get_int(0, "one"), 1);
    }
    const Result count = co_await conn.query(kPreparedCount, kSelectOne.name);
    EXPECT_EQ(count.get_int(0, "n"), 1);
  });
  // The lease went back; the same connection keeps its prepared statement.
  io_.run([&]() -> awaitable<void> {
    co_await pool->query(kSelectOne);
    const Result count = co_await pool->query(kPreparedCount, kSelectOne.name);
    EXPECT_EQ(count.get_int(0, "n"), 1);
  });
}

TEST_F(PoolTest, ServerErrorsCarrySqlstateAndLeaveConnectionUsable) {
  auto pool = make_pool(1);
  io_.run([&]() -> awaitable<void> {
    auto conn = co_await pool->acquire();
    co_await conn.execute("CREATE TEMP TABLE uv (id int PRIMARY KEY)");
    const Statement insert{"test.pool.uv_insert", "INSERT INTO uv (id) VALUES ($1)"};
    const Result inserted = co_await conn.query(insert, 1);
    EXPECT_EQ(inserted.affected_rows(), 1);
    std::optional<Error> failure;
    try {
      co_await conn.query(insert, 1);
    } catch (const Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure.has_value());
    if (failure) {
      EXPECT_TRUE(failure->is_unique_violation());
      EXPECT_EQ(failure->sqlstate(), "23505");
    }
    // A statement that does not parse fails at prepare time, with its SQLSTATE.
    failure.reset();
    try {
      co_await conn.query(Statement{"test.pool.bad", "SELEC 1"});
    } catch (const Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure.has_value());
    if (failure) {
      EXPECT_EQ(failure->sqlstate(), "42601");
    }
    const Result one = co_await conn.query(kSelectOne);
    EXPECT_EQ(one.get_int(0, "one"), 1);
  });
}

TEST_F(PoolTest, TransactionCommitAndRollbackOnDestroy) {
  // One connection only: the lease after the abandoned transaction must be the same connection,
  // rolled back first (if it were still inside the transaction it would see row 2).
  auto pool = make_pool(1);
  const std::string table = table_name("tx");
  // Statements hold string_views: the SQL built at run time must outlive them.
  const std::string insert_sql = "INSERT INTO " + table + " (id) VALUES ($1)";
  const std::string count_sql = "SELECT count(*) AS n FROM " + table;
  const Statement insert{"test.pool.tx_insert", insert_sql};
  const Statement count{"test.pool.tx_count", count_sql};
  io_.run([&]() -> awaitable<void> {
    auto conn = co_await pool->acquire();
    co_await conn.execute("DROP TABLE IF EXISTS " + table);
    co_await conn.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
  });
  io_.run([&]() -> awaitable<void> {
    {
      auto tx = co_await pool->begin();
      co_await tx.query(insert, 1);
      co_await tx.commit();
    }
    {
      auto tx = co_await pool->begin();
      co_await tx.query(insert, 2);
      // destroyed without commit
    }
    const Result rows = co_await pool->query(count);
    EXPECT_EQ(rows.get_int(0, "n"), 1);
    // A failed transaction refuses to commit instead of silently rolling back.
    std::optional<Error> failure;
    {
      auto tx = co_await pool->begin();
      try {
        co_await tx.query(insert, 1);
      } catch (const Error& error) {
        EXPECT_TRUE(error.is_unique_violation());
      }
      try {
        co_await tx.commit();
      } catch (const Error& error) {
        failure = error;
      }
    }
    EXPECT_TRUE(failure.has_value());
    if (failure) {
      EXPECT_EQ(failure->sqlstate(), "25P02");
    }
    auto conn = co_await pool->acquire();
    co_await conn.execute("DROP TABLE " + table);
  });
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.in_use, 0u);
}

TEST_F(PoolTest, MaxSizeHonouredAndTimeoutWhenExhausted) {
  auto pool = make_pool(2, 300ms);
  auto first = io_.run([&]() -> awaitable<Connection> { co_return co_await pool->acquire(); });
  auto second = io_.run([&]() -> awaitable<Connection> { co_return co_await pool->acquire(); });
  PoolStats stats = pool->stats();
  EXPECT_EQ(stats.size, 2u);
  EXPECT_EQ(stats.in_use, 2u);
  EXPECT_EQ(stats.waiting, 0u);

  std::atomic<bool> timed_out{false};
  const auto start = std::chrono::steady_clock::now();
  auto waiting = asio::co_spawn(
      io_.get_executor(),
      [&]() -> awaitable<void> {
        try {
          co_await pool->acquire();
        } catch (const PoolTimeout&) {
          timed_out = true;
        }
      },
      asio::use_future);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pool->stats().waiting, 1u);
  waiting.get();
  EXPECT_TRUE(timed_out);
  EXPECT_GE(seconds_since(start), 0.25);
  EXPECT_LT(seconds_since(start), 3.0);
  stats = pool->stats();
  EXPECT_EQ(stats.size, 2u);
  EXPECT_EQ(stats.waiting, 0u);

  first = Connection();
  second = Connection();
  stats = pool->stats();
  EXPECT_EQ(stats.size, 2u);
  EXPECT_EQ(stats.in_use, 0u);
}

TEST_F(PoolTest, ReleasedConnectionGoesToTheWaiter) {
  auto pool = make_pool(1, 5000ms);
  auto held = io_.run([&]() -> awaitable<Connection> { co_return co_await pool->acquire(); });
  const auto held_pid =
      io_.run([&]() -> awaitable<std::int64_t> {
        co_return (co_await held.query(kBackendPid)).get_int(0, "pid");
      });
  auto waiting = asio::co_spawn(
      io_.get_executor(),
      [&]() -> awaitable<std::int64_t> {
        auto conn = co_await pool->acquire();
        co_return (co_await conn.query(kBackendPid)).get_int(0, "pid");
      },
      asio::use_future);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pool->stats().waiting, 1u);
  const auto start = std::chrono::steady_clock::now();
  held = Connection();  // released from a thread outside the io_context
  EXPECT_EQ(waiting.get(), held_pid);
  EXPECT_LT(seconds_since(start), 1.0);
  EXPECT_EQ(pool->stats().size, 1u);
}

TEST_F(PoolTest, ManyCoroutinesOnFewConnections) {
  auto pool = make_pool(4);
  io_.run([&]() -> awaitable<void> {
    const executor ex = co_await asio::this_coro::executor;
    std::vector<std::future<std::int64_t>> results;
    for (int i = 0; i < 64; ++i) {
      results.push_back(asio::co_spawn(
          ex,
          [&pool, i]() -> awaitable<std::int64_t> {
            const Result r = co_await pool->query(
                Statement{"test.pool.sleepy", "SELECT $1::int8 AS v, pg_sleep(0.005)"}, i);
            co_return r.get_int(0, "v");
          },
          asio::use_future));
    }
    // Wait without blocking an I/O thread.
    for (auto& result : results) {
      while (result.wait_for(0s) != std::future_status::ready) {
        asio::steady_timer timer(ex, 5ms);
        co_await timer.async_wait(use_awaitable);
      }
    }
    std::int64_t sum = 0;
    for (auto& result : results) {
      sum += result.get();
    }
    EXPECT_EQ(sum, 63 * 64 / 2);
  });
  const PoolStats stats = pool->stats();
  EXPECT_LE(stats.size, 4u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(PoolTest, PingTrueWhenUpAndFalseWhenAllLeasesAreHeld) {
  auto pool = make_pool(1, 5000ms);
  EXPECT_TRUE(io_.run([&]() -> awaitable<bool> { co_return co_await pool->ping(1000ms); }));
  auto held = io_.run([&]() -> awaitable<Connection> { co_return co_await pool->acquire(); });
  const auto start = std::chrono::steady_clock::now();
  // Its wait for a lease is cancelled by the ping timeout, leaving no waiter behind.
  EXPECT_FALSE(io_.run([&]() -> awaitable<bool> { co_return co_await pool->ping(200ms); }));
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_EQ(pool->stats().waiting, 0u);
  held = Connection();
  EXPECT_TRUE(io_.run([&]() -> awaitable<bool> { co_return co_await pool->ping(1000ms); }));
  EXPECT_EQ(pool->stats().in_use, 0u);
}

// ---- failures that need no database ----

unsigned short unused_port() {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

TEST(PoolFailure, RefusedConnectionFailsFastWithoutPassword) {
  IoThreads io;
  const std::string url =
      "postgresql://collabdev:s3cretpw@127.0.0.1:" + std::to_string(unused_port()) + "/nowhere";
  auto pool = Pool::create(io.get_executor(), PoolOptions{url, 2, 1000ms, 5000ms});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(io.run([&]() -> awaitable<bool> { co_return co_await pool->ping(2000ms); }));
  EXPECT_LT(seconds_since(start), 1.0);
  std::optional<Error> failure;
  io.run([&]() -> awaitable<void> {
    try {
      co_await pool->acquire();
    } catch (const Error& error) {
      failure = error;
    }
  });
  ASSERT_TRUE(failure.has_value());
  EXPECT_TRUE(failure->sqlstate().empty());
  EXPECT_EQ(std::string(failure->what()).find("s3cretpw"), std::string::npos) << failure->what();
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.size, 0u);
  EXPECT_EQ(stats.in_use, 0u);
}

TEST(PoolFailure, SilentServerHitsConnectTimeoutAndPingTimeout) {
  IoThreads io;
  // Listens but never answers: TCP connects, the startup packet gets no reply.
  asio::io_context context;
  asio::ip::tcp::acceptor silent(context,
                                 asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string url = "postgresql://collabdev:s3cretpw@127.0.0.1:" +
                          std::to_string(silent.local_endpoint().port()) + "/nowhere";
  {
    auto pool = Pool::create(io.get_executor(), PoolOptions{url, 2, 1000ms, 300ms});
    const auto start = std::chrono::steady_clock::now();
    std::optional<Error> failure;
    io.run([&]() -> awaitable<void> {
      try {
        co_await pool->acquire();
      } catch (const Error& error) {
        failure = error;
      }
    });
    EXPECT_GE(seconds_since(start), 0.25);
    EXPECT_LT(seconds_since(start), 2.0);
    ASSERT_TRUE(failure.has_value());
    EXPECT_TRUE(failure->sqlstate().empty());
    EXPECT_NE(std::string(failure->what()).find("timed out"), std::string::npos);
    EXPECT_EQ(pool->stats().size, 0u);
  }
  {
    auto pool = Pool::create(io.get_executor(), PoolOptions{url, 2, 1000ms, 10000ms});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(io.run([&]() -> awaitable<bool> { co_return co_await pool->ping(300ms); }));
    EXPECT_LT(seconds_since(start), 2.0);
    EXPECT_EQ(pool->stats().size, 0u);
    EXPECT_EQ(pool->stats().in_use, 0u);
  }
}

TEST(PoolFailure, InvalidConninfoIsRejectedWithoutEchoingIt) {
  IoThreads io(1);
  try {
    Pool::create(io.get_executor(), PoolOptions{"host=x password=s3cretpw bogus", 1});
    FAIL() << "expected db::Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).find("s3cretpw"), std::string::npos);
  }
}

}  // namespace
}  // namespace collabdev::db
