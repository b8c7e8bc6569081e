// Against a throwaway redis-server this test starts, kills and restarts itself (never the
// shared one).
#include <gtest/gtest.h>

#include <atomic>

#include "bus/bus.hpp"
#include "bus/redis_bus.hpp"
#include "bus/redis_client.hpp"
#include "test_support.hpp"

namespace collabdev::bus {
namespace {

using namespace test;

class ReconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis_url()) {
      GTEST_SKIP() << "set TEST_REDIS_URL or REDIS_URL";
    }
    if (std::system("command -v redis-server >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "redis-server is not on PATH";
    }
    ASSERT_TRUE(server_.start());
  }
  RedisServerProcess server_;
};

TEST_F(ReconnectTest, UnixSocketCommands) {
  IoThreads io;
  RedisClient client(io.ex(), parse_redis_url(server_.unix_url() + "?db=1"));
  EXPECT_TRUE(io.run(client.command({"PING"})).is_status("PONG"));
  EXPECT_TRUE(io.run(client.command({"SET", "k", "v"})).is_status("OK"));
  // SELECT 1 happened at connect: the key is in db 1, not db 0.
  RedisClient db0(io.ex(), parse_redis_url(server_.url()));
  EXPECT_EQ(io.run(db0.command({"GET", "k"})).type, Reply::Type::nil);
  EXPECT_EQ(io.run(client.command({"GET", "k"})).str, "v");
}

TEST_F(ReconnectTest, AuthFailureIsReportedNotHung) {
  IoThreads io;
  RedisClient client(io.ex(), parse_redis_url("redis://:wrong@127.0.0.1:" + std::to_string(server_.port())));
  auto reply = io.run(client.command({"PING"}));
  EXPECT_EQ(reply.type, Reply::Type::unavailable);
  EXPECT_EQ(reply.str.find("wrong"), std::string::npos) << "the password never appears in errors";
}

TEST_F(ReconnectTest, SubscriberComesBackAndResubscribes) {
  IoThreads io;
  RedisOptions options;
  options.connect_timeout = 1s;
  auto endpoint = parse_redis_url(server_.url());
  auto subscriber_bus = make_redis_bus(io.ex(), endpoint, options);
  auto publisher_bus = make_redis_bus(io.ex(), endpoint, options);

  std::atomic<int> resubscribed{0};
  Inbox<int> resubscribed_inbox;
  subscriber_bus->on_resubscribed([&] { resubscribed_inbox.push(++resubscribed); });
  Inbox<std::string> inbox;
  Inbox<std::string> other_inbox;
  auto sub = subscriber_bus->subscribe("ws:project:p1:chat", [&](const Message& m) { inbox.push(*m.payload); });
  auto other = subscriber_bus->subscribe("ws:file:f1:edits", [&](const Message& m) { other_inbox.push(*m.payload); });
  ASSERT_TRUE(wait_numsub(io, server_.url(), "ws:project:p1:chat", 1));
  ASSERT_TRUE(wait_numsub(io, server_.url(), "ws:file:f1:edits", 1));
  EXPECT_TRUE(io.run(publisher_bus->publish("ws:project:p1:chat", "before")));
  EXPECT_EQ(inbox.wait(), "before");
  EXPECT_EQ(resubscribed.load(), 0) << "the first connection is not a resubscription";

  server_.kill();
  // ping answers false at once while Redis is down, never hangs.
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(io.run(publisher_bus->ping(), 3s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_FALSE(io.run(publisher_bus->publish("ws:project:p1:chat", "lost"), 3s));
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(1500ms);  // let the subscriber's backoff reach its cap
  // A reconnect can slip into the dying server before its listener closes; only what happens
  // after the restart counts.
  while (resubscribed_inbox.wait(0ms)) {
  }
  const int before_restart = resubscribed.load();

  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(resubscribed_inbox.wait(5s)) << "on_resubscribed must fire after the restart";
  // on_resubscribed fires once every channel is confirmed, so this publish must be seen.
  bool published = false;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!published && std::chrono::steady_clock::now() < deadline) {
    published = io.run(publisher_bus->publish("ws:project:p1:chat", "after"), 3s);
    if (!published) {
      std::this_thread::sleep_for(50ms);
    }
  }
  ASSERT_TRUE(published) << "the command connection reconnects on demand";
  EXPECT_EQ(inbox.wait(), "after");
  EXPECT_TRUE(io.run(publisher_bus->publish("ws:file:f1:edits", "edit")));
  EXPECT_EQ(other_inbox.wait(), "edit") << "every registered channel is re-subscribed";
  EXPECT_TRUE(io.run(publisher_bus->ping()));
  EXPECT_EQ(resubscribed.load(), before_restart + 1) << "once per reconnect";

  subscriber_bus->stop();
  publisher_bus->stop();
  EXPECT_TRUE(io.drain()) << "stop() ends the reconnect loop";
}

TEST_F(ReconnectTest, StopEndsTheReconnectLoopWhileRedisIsDown) {
  IoThreads io;
  auto bus = make_redis_bus(io.ex(), server_.url());
  auto sub = bus->subscribe("x", [](const Message&) {});
  ASSERT_TRUE(wait_numsub(io, server_.url(), "x", 1));
  server_.kill();
  std::this_thread::sleep_for(300ms);
  bus->stop();
  EXPECT_TRUE(io.drain());
}

}  // namespace
}  // namespace collabdev::bus
