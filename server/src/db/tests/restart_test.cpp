// The pool survives a PostgreSQL restart. The test runs its own throwaway cluster on a free
// loopback port: the shared database is never restarted.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>
#include <filesystem>

#include "db/tests/test_support.hpp"

namespace collabdev::db {
namespace {

using namespace std::chrono_literals;
using testing::IoThreads;

const std::filesystem::path kPgBin = "/usr/lib/postgresql/15/bin";
constexpr Statement kSelectOne{"test.restart.one", "SELECT 1 AS one"};

unsigned short unused_port() {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// initdb and postgres refuse to run as root: then they run as the postgres user.
class TempCluster {
 public:
  TempCluster() {
    std::string pattern = (std::filesystem::temp_directory_path() / "collabdev-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    port_ = unused_port();
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (user == nullptr) {
        throw std::runtime_error("running as root and there is no postgres user");
      }
      if (::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
        throw std::runtime_error("chown of the cluster directory failed");
      }
      as_user_ = "runuser -u postgres -- ";
    }
  }
  ~TempCluster() {
    if (running_) {
      run("pg_ctl -D " + data() + " -m immediate -w stop >/dev/null 2>&1");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempCluster(const TempCluster&) = delete;
  TempCluster& operator=(const TempCluster&) = delete;

  void init() {
    ASSERT_EQ(run("initdb -D " + data() + " -U postgres -A trust -E UTF8 --no-locale --no-sync "
                  ">" + (dir_ / "initdb.log").string() + " 2>&1"),
              0);
  }
  void start() {
    ASSERT_EQ(run("pg_ctl -D " + data() + " -l " + (dir_ / "server.log").string() +
                  " -w -t 60 -o '-p " + std::to_string(port_) + " -k " + dir_.string() +
                  " -c listen_addresses=127.0.0.1 -c fsync=off' start >/dev/null"),
              0);
    running_ = true;
  }
  void stop() {
    ASSERT_EQ(run("pg_ctl -D " + data() + " -m fast -w -t 60 stop >/dev/null"), 0);
    running_ = false;
  }
  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
  }

 private:
  std::string data() const { return (dir_ / "data").string(); }
  int run(const std::string& command) const {
    return std::system((as_user_ + (kPgBin / "").string() + command).c_str());
  }

  std::filesystem::path dir_;
  unsigned short port_ = 0;
  std::string as_user_;
  bool running_ = false;
};

TEST(PoolRestart, QueriesFailWhileDownAndSucceedAfterRestartWithTheSamePool) {
  if (!std::filesystem::exists(kPgBin / "initdb") ||
      (::geteuid() == 0 && !std::filesystem::exists("/usr/sbin/runuser"))) {
    GTEST_SKIP() << "PostgreSQL 15 server binaries are not installed";
  }
  TempCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.init());
  ASSERT_NO_FATAL_FAILURE(cluster.start());

  IoThreads io;
  auto pool = Pool::create(io.get_executor(), PoolOptions{cluster.url(), 3, 2000ms, 2000ms});
  // Two connections with a prepared statement; one of them is then held across the restart.
  io.run([&]() -> awaitable<void> {
    auto a = co_await pool->acquire();
    auto b = co_await pool->acquire();
    EXPECT_EQ((co_await a.query(kSelectOne)).get_int(0, "one"), 1);
    EXPECT_EQ((co_await b.query(kSelectOne)).get_int(0, "one"), 1);
  });
  auto held = io.run([&]() -> awaitable<Connection> { co_return co_await pool->acquire(); });
  EXPECT_EQ(pool->stats().size, 2u);
  EXPECT_EQ(pool->stats().in_use, 1u);

  ASSERT_NO_FATAL_FAILURE(cluster.stop());

  // While down: the held lease fails and is discarded; new leases fail to connect, fast.
  std::optional<Error> held_failure;
  io.run([&]() -> awaitable<void> {
    try {
      co_await held.query(kSelectOne);
    } catch (const Error& error) {
      held_failure = error;
    }
  });
  ASSERT_TRUE(held_failure.has_value());
  EXPECT_TRUE(held_failure->sqlstate().empty()) << held_failure->what();
  held = Connection();
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<Error> failure;
    io.run([&]() -> awaitable<void> {
      try {
        co_await pool->query(kSelectOne);
      } catch (const Error& error) {
        failure = error;
      }
    });
    ASSERT_TRUE(failure.has_value());
    EXPECT_TRUE(failure->sqlstate().empty()) << failure->what();
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(io.run([&]() -> awaitable<bool> { co_return co_await pool->ping(1000ms); }));
  EXPECT_LT(testing::seconds_since(start), 1.5);
  EXPECT_EQ(pool->stats().in_use, 0u);

  ASSERT_NO_FATAL_FAILURE(cluster.start());

  // Back up: the same pool works again at once; dead idle connections are replaced.
  io.run([&]() -> awaitable<void> {
    EXPECT_EQ((co_await pool->query(kSelectOne)).get_int(0, "one"), 1);
    auto a = co_await pool->acquire();
    auto b = co_await pool->acquire();
    auto c = co_await pool->acquire();
    EXPECT_EQ((co_await a.query(kSelectOne)).get_int(0, "one"), 1);
    EXPECT_EQ((co_await b.query(kSelectOne)).get_int(0, "one"), 1);
    EXPECT_EQ((co_await c.query(kSelectOne)).get_int(0, "one"), 1);
  });
  EXPECT_TRUE(io.run([&]() -> awaitable<bool> { co_return co_await pool->ping(1000ms); }));
  const PoolStats stats = pool->stats();
  EXPECT_LE(stats.size, 3u);
  EXPECT_EQ(stats.in_use, 0u);
  pool.reset();
}

}  // namespace
}  // namespace collabdev::db
