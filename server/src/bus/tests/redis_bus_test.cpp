#include <gtest/gtest.h>

#include <algorithm>

#include "bus/bus.hpp"
#include "bus/redis_client.hpp"
#include "test_support.hpp"

namespace collabdev::bus {
namespace {

using namespace test;

// The Bus contract, run against RedisBus and LocalBus alike.
class BusContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      url_ = redis_url();
      if (!url_) {
        GTEST_SKIP() << "set TEST_REDIS_URL or REDIS_URL";
      }
    }
  }
  std::shared_ptr<Bus> make(IoThreads& io) {
    return url_ ? make_redis_bus(io.ex(), *url_) : make_local_bus(io.ex());
  }
  // Redis subscribes asynchronously; wait until the server knows before publishing.
  void await_subscribers(IoThreads& io, const std::string& channel, long long n) {
    if (url_) {
      ASSERT_TRUE(wait_numsub(io, *url_, channel, n)) << channel;
    }
  }
  std::optional<std::string> url_;
};

TEST_P(BusContract, PublishSubscribeWithSharedBinaryPayload) {
  IoThreads io;
  auto bus = make(io);
  const auto channel = unique("ch");
  const std::string payload("{\"a\":1}\0\r\n\xff", 11);
  Inbox<Message> inbox;
  auto a = bus->subscribe(channel, [&](const Message& m) { inbox.push(m); });
  auto b = bus->subscribe(channel, [&](const Message& m) { inbox.push(m); });
  await_subscribers(io, channel, 1);
  EXPECT_TRUE(io.run(bus->publish(channel, payload)));
  auto first = inbox.wait();
  auto second = inbox.wait();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->channel, channel);
  EXPECT_EQ(*first->payload, payload);
  EXPECT_EQ(first->payload.get(), second->payload.get()) << "fan-out must share one payload";
  bus->stop();
  EXPECT_TRUE(io.drain());
}

TEST_P(BusContract, HandlersMaySubscribeAndUnsubscribeFromInsideAHandler) {
  IoThreads io;
  auto bus = make(io);
  const auto a = unique("a");
  const auto b = unique("b");
  Inbox<std::string> inbox;
  std::mutex m;
  Subscription self;
  Subscription added;
  {
    std::lock_guard lock(m);
    self = bus->subscribe(a, [&](const Message& msg) {
      std::lock_guard lock(m);
      added = bus->subscribe(b, [&](const Message& inner) { inbox.push(*inner.payload); });
      self.reset();
      inbox.push(*msg.payload);
    });
  }
  await_subscribers(io, a, 1);
  EXPECT_TRUE(io.run(bus->publish(a, "first")));
  EXPECT_EQ(inbox.wait(), "first");
  await_subscribers(io, a, 0);
  await_subscribers(io, b, 1);
  EXPECT_TRUE(io.run(bus->publish(b, "second")));
  EXPECT_EQ(inbox.wait(), "second");
  std::lock_guard lock(m);
  added.reset();
}

TEST_P(BusContract, SetsAndTtlKeys) {
  IoThreads io;
  auto bus = make(io);
  EXPECT_TRUE(io.run(bus->ping()));
  const auto set = unique("presence:project:p1");
  EXPECT_TRUE(io.run(bus->set_add(set, {"u1", "u2"})));
  EXPECT_TRUE(io.run(bus->set_add(set, {"u2", "u3"})));
  EXPECT_TRUE(io.run(bus->set_add(set, {})));
  auto members = io.run(bus->set_members(set));
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"u1", "u2", "u3"}));
  EXPECT_TRUE(io.run(bus->set_remove(set, {"u1", "u3"})));
  EXPECT_EQ(io.run(bus->set_members(set)), (std::vector<std::string>{"u2"}));
  EXPECT_TRUE(io.run(bus->exists(set)));
  EXPECT_TRUE(io.run(bus->remove(set)));
  EXPECT_FALSE(io.run(bus->exists(set)));
  EXPECT_TRUE(io.run(bus->set_members(set)).empty());

  const auto hb = unique("heartbeat");
  EXPECT_TRUE(io.run(bus->set_with_ttl(hb, "alive", std::chrono::seconds(1))));
  EXPECT_TRUE(io.run(bus->exists(hb)));
  EXPECT_FALSE(io.run(bus->set_add(hb, {"x"}))) << "a string key is not a set";
  if (url_) {
    RedisClient client(io.ex(), parse_redis_url(*url_));
    auto ttl = io.run(client.command({"PTTL", hb}));
    EXPECT_GT(ttl.integer, 0);
    EXPECT_LE(ttl.integer, 1000);
  }
  std::this_thread::sleep_for(1200ms);
  EXPECT_FALSE(io.run(bus->exists(hb)));
  bus->stop();
  EXPECT_TRUE(io.drain());
}

// `subscribed` is the acknowledgement the gateway waits for: once true, the next publish arrives
// without polling Redis for its subscriber count.
TEST_P(BusContract, SubscribedMeansTheNextPublishArrives) {
  IoThreads io;
  auto bus = make(io);
  auto publisher = make(io);
  for (int i = 0; i < 20; ++i) {
    const auto channel = unique("confirmed");
    Inbox<std::string> inbox;
    auto sub = bus->subscribe(channel, [&](const Message& m) { inbox.push(*m.payload); });
    ASSERT_TRUE(io.run(bus->subscribed(channel, 2000ms)));
    // Another instance's publish (LocalBus: the same process) right after the confirmation.
    auto& via = url_ ? publisher : bus;
    EXPECT_TRUE(io.run(via->publish(channel, "right after")));
    EXPECT_EQ(inbox.wait(), "right after");
  }
  EXPECT_FALSE(io.run(bus->subscribed(unique("nobody"), 100ms))) << "no handler, no subscription";
  bus->stop();
  publisher->stop();
  EXPECT_TRUE(io.drain());
}

TEST_P(BusContract, SetContainsTestsOneMember) {
  IoThreads io;
  auto bus = make(io);
  const auto set = unique("presence:instance:i1");
  EXPECT_FALSE(io.run(bus->set_contains(set, "a b")));
  EXPECT_TRUE(io.run(bus->set_add(set, {"a b", "c d"})));
  EXPECT_TRUE(io.run(bus->set_contains(set, "a b")));
  EXPECT_FALSE(io.run(bus->set_contains(set, "a")));
  EXPECT_TRUE(io.run(bus->remove(set)));
  EXPECT_FALSE(io.run(bus->set_contains(set, "a b")));
  bus->stop();
  EXPECT_TRUE(io.drain());
}

INSTANTIATE_TEST_SUITE_P(Backends, BusContract, ::testing::Values("local", "redis"),
                         [](const auto& info) { return info.param; });

class RedisBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = redis_url();
    if (!url_) {
      GTEST_SKIP() << "set TEST_REDIS_URL or REDIS_URL";
    }
  }
  std::optional<std::string> url_;
};

// Two RedisBus objects stand for two server instances.
TEST_F(RedisBusTest, PublishCrossesInstances) {
  IoThreads io;
  auto one = make_redis_bus(io.ex(), *url_);
  auto two = make_redis_bus(io.ex(), *url_);
  EXPECT_TRUE(one->configured_remote());
  const auto channel = unique("ws:project:p1:tasks");
  Inbox<std::string> at_one;
  Inbox<std::string> at_two;
  auto s1 = one->subscribe(channel, [&](const Message& m) { at_one.push(*m.payload); });
  auto s2 = two->subscribe(channel, [&](const Message& m) { at_two.push(*m.payload); });
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 2));
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(io.run(one->publish(channel, "event " + std::to_string(i))));
  }
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(at_one.wait(), "event " + std::to_string(i));
    EXPECT_EQ(at_two.wait(), "event " + std::to_string(i)) << "order is kept per channel";
  }
  one->stop();
  two->stop();
  EXPECT_TRUE(io.drain());
}

TEST_F(RedisBusTest, UnsubscribesUpstreamOnlyWhenTheLastHandlerGoes) {
  IoThreads io;
  auto bus = make_redis_bus(io.ex(), *url_);
  const auto channel = unique("ch");
  auto first = bus->subscribe(channel, [](const Message&) {});
  auto second = bus->subscribe(channel, [](const Message&) {});
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 1)) << "one upstream subscription per bus";
  first.reset();
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 1)) << "a handler remains";
  second.reset();
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 0));
  // Subscribing again after the last one left works too.
  Inbox<std::string> inbox;
  auto again = bus->subscribe(channel, [&](const Message& m) { inbox.push(*m.payload); });
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 1));
  EXPECT_TRUE(io.run(bus->publish(channel, "back")));
  EXPECT_EQ(inbox.wait(), "back");
}

TEST_F(RedisBusTest, RapidSubscribeUnsubscribeSettlesOnTheRegistry) {
  IoThreads io(4);
  auto bus = make_redis_bus(io.ex(), *url_);
  const auto channel = unique("churn");
  ASSERT_TRUE(io.run(bus->ping()));
  for (int i = 0; i < 200; ++i) {
    auto s = bus->subscribe(channel, [](const Message&) {});
  }
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 0));
  auto kept = bus->subscribe(channel, [](const Message&) {});
  for (int i = 0; i < 200; ++i) {
    auto s = bus->subscribe(channel, [](const Message&) {});
  }
  ASSERT_TRUE(wait_numsub(io, *url_, channel, 1));
}

TEST(RedisBusBadUrl, Throws) {
  IoThreads io;
  EXPECT_THROW(make_redis_bus(io.ex(), "http://localhost"), std::invalid_argument);
}

}  // namespace
}  // namespace collabdev::bus
