#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <atomic>

#include "bus/redis_client.hpp"
#include "test_support.hpp"

namespace collabdev::bus {
namespace {

using namespace test;

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = redis_url();
    if (!url) {
      GTEST_SKIP() << "set TEST_REDIS_URL or REDIS_URL";
    }
    endpoint_ = parse_redis_url(*url);
  }
  RedisEndpoint endpoint_;
};

TEST_F(RedisClientTest, RoundTripIsBinarySafe) {
  IoThreads io;
  RedisClient client(io.ex(), endpoint_);
  std::string payload;
  for (int i = 0; i < 256; ++i) {
    payload.push_back(static_cast<char>(i));
  }
  payload += "\r\n$3\r\n*1\r\n";
  const auto key = unique("binary");
  auto set = io.run(client.command({"SET", key, payload, "EX", "60"}));
  EXPECT_TRUE(set.is_status("OK")) << set.str;
  auto get = io.run(client.command({"GET", key}));
  ASSERT_EQ(get.type, Reply::Type::string);
  EXPECT_EQ(get.str, payload);
  auto del = io.run(client.command({"DEL", key}));
  EXPECT_EQ(del.integer, 1);
  auto missing = io.run(client.command({"GET", key}));
  EXPECT_EQ(missing.type, Reply::Type::nil);
  client.stop();
  EXPECT_TRUE(io.drain()) << "stop() must leave no pending work";
}

TEST_F(RedisClientTest, ErrorReplyKeepsTheConnectionUsable) {
  IoThreads io;
  RedisClient client(io.ex(), endpoint_);
  auto bad = io.run(client.command({"NO_SUCH_COMMAND", "x"}));
  EXPECT_EQ(bad.type, Reply::Type::error);
  EXPECT_TRUE(bad.failed());
  EXPECT_TRUE(io.run(client.command({"PING"})).is_status("PONG"));
}

TEST_F(RedisClientTest, PipelinesConcurrentCallersFromManyThreads) {
  IoThreads io(4);
  RedisClient client(io.ex(), endpoint_);
  constexpr int callers = 2000;
  std::atomic<int> matched{0};
  std::atomic<int> finished{0};
  std::promise<void> all_done;
  const std::string big(300 * 1024, 'x');  // several of these force more than one write batch
  for (int i = 0; i < callers; ++i) {
    asio::co_spawn(
        io.ex(),
        [&, i]() -> awaitable<void> {
          const std::string value = (i % 100 == 0) ? big + std::to_string(i) : std::to_string(i);
          std::vector<std::string> echo{"ECHO", value};
          auto reply = co_await client.command(std::move(echo));
          if (reply.type == Reply::Type::string && reply.str == value) {
            ++matched;
          }
          if (++finished == callers) {
            all_done.set_value();
          }
        },
        asio::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(matched.load(), callers) << "every caller must get its own reply";
  client.stop();
  EXPECT_TRUE(io.drain());
}

TEST_F(RedisClientTest, StoppedClientRefusesCommands) {
  IoThreads io;
  RedisClient client(io.ex(), endpoint_);
  EXPECT_TRUE(io.run(client.command({"PING"})).is_status("PONG"));
  client.stop();
  auto reply = io.run(client.command({"PING"}));
  EXPECT_EQ(reply.type, Reply::Type::unavailable);
}

TEST(RedisClientDown, FailsFastWhenNothingListens) {
  // A port that was free a moment ago: connect is refused at once.
  unsigned short port = 0;
  {
    asio::io_context probe;
    asio::ip::tcp::acceptor acceptor(probe, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  IoThreads io;
  RedisClient client(io.ex(), parse_redis_url("redis://127.0.0.1:" + std::to_string(port)));
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto reply = io.run(client.command({"PING"}), 3s);
    EXPECT_EQ(reply.type, Reply::Type::unavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  }
  client.stop();
  EXPECT_TRUE(io.drain());
}

}  // namespace
}  // namespace collabdev::bus
