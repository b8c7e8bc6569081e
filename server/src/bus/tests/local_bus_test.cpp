#include <gtest/gtest.h>

#include "bus/bus.hpp"
#include "test_support.hpp"

namespace collabdev::bus {
namespace {

using namespace test;

TEST(LocalBus, PublishReachesEveryHandlerWithOneSharedPayload) {
  IoThreads io;
  auto bus = make_local_bus(io.ex());
  EXPECT_FALSE(bus->configured_remote());
  Inbox<std::shared_ptr<const std::string>> inbox;
  auto a = bus->subscribe("ch", [&](const Message& m) { inbox.push(m.payload); });
  auto b = bus->subscribe("ch", [&](const Message& m) { inbox.push(m.payload); });
  EXPECT_TRUE(io.run(bus->publish("ch", "hello")));
  auto first = inbox.wait();
  auto second = inbox.wait();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(**first, "hello");
  EXPECT_EQ(first->get(), second->get()) << "fan-out must share one payload";
  bus->stop();
}

TEST(LocalBus, UnsubscribedHandlerGetsNothing) {
  IoThreads io;
  auto bus = make_local_bus(io.ex());
  Inbox<std::string> gone;
  Inbox<std::string> kept;
  auto sub = bus->subscribe("a", [&](const Message& m) { gone.push(*m.payload); });
  auto other = bus->subscribe("b", [&](const Message& m) { kept.push(*m.payload); });
  sub.reset();
  EXPECT_TRUE(io.run(bus->publish("a", "1")));
  EXPECT_TRUE(io.run(bus->publish("b", "2")));
  // Dispatch is ordered, so once "b" arrived "a" would have too.
  ASSERT_EQ(kept.wait(), "2");
  EXPECT_EQ(gone.size(), 0u);
}

TEST(LocalBus, HandlersMaySubscribeAndUnsubscribeFromInsideAHandler) {
  IoThreads io;
  auto bus = make_local_bus(io.ex());
  Inbox<std::string> inbox;
  Subscription self;
  Subscription added;
  std::mutex m;
  self = bus->subscribe("a", [&](const Message& msg) {
    std::lock_guard lock(m);
    added = bus->subscribe("b", [&](const Message& b) { inbox.push(*b.payload); });
    self.reset();
    inbox.push(*msg.payload);
  });
  EXPECT_TRUE(io.run(bus->publish("a", "first")));
  EXPECT_EQ(inbox.wait(), "first");
  EXPECT_TRUE(io.run(bus->publish("a", "again")));
  EXPECT_TRUE(io.run(bus->publish("b", "second")));
  EXPECT_EQ(inbox.wait(), "second");
  EXPECT_EQ(inbox.size(), 0u);
  std::lock_guard lock(m);
  added.reset();
}

TEST(LocalBus, SubscriptionOutlivingTheBusIsHarmless) {
  IoThreads io;
  Subscription sub;
  {
    auto bus = make_local_bus(io.ex());
    sub = bus->subscribe("a", [](const Message&) {});
  }
  sub.reset();
}

TEST(LocalBus, SetsTtlAndTypes) {
  IoThreads io;
  auto bus = make_local_bus(io.ex());
  EXPECT_TRUE(io.run(bus->ping()));
  EXPECT_TRUE(io.run(bus->set_add("s", {"u1", "u2", "u2"})));
  auto members = io.run(bus->set_members("s"));
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_TRUE(io.run(bus->set_remove("s", {"u1"})));
  EXPECT_EQ(io.run(bus->set_members("s")), (std::vector<std::string>{"u2"}));
  EXPECT_TRUE(io.run(bus->set_remove("s", {"u2"})));
  EXPECT_FALSE(io.run(bus->exists("s"))) << "an empty set is no key";

  EXPECT_TRUE(io.run(bus->set_with_ttl("hb", "1", std::chrono::seconds(1))));
  EXPECT_TRUE(io.run(bus->exists("hb")));
  EXPECT_FALSE(io.run(bus->set_add("hb", {"x"}))) << "a string key is not a set";
  std::this_thread::sleep_for(1100ms);
  EXPECT_FALSE(io.run(bus->exists("hb")));
  EXPECT_TRUE(io.run(bus->set_add("hb", {"x"}))) << "an expired key is gone";
  EXPECT_TRUE(io.run(bus->remove("hb")));
  EXPECT_FALSE(io.run(bus->exists("hb")));
  bus->stop();
  EXPECT_FALSE(io.run(bus->publish("a", "x")));
}

}  // namespace
}  // namespace collabdev::bus
