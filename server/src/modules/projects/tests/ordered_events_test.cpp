// Board events leave in the order their slots were taken, whatever order the writes finish in.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "modules/projects/ordered_events.hpp"

using namespace collabdev;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  asio::io_context io;
  std::shared_ptr<bus::Bus> bus = bus::make_local_bus(io.get_executor());
  std::vector<std::string> got;
  bus::Subscription sub = bus->subscribe("c", [this](const bus::Message& m) { got.push_back(*m.payload); });
  void settle() {
    io.restart();
    io.run_for(100ms);
  }
};

}  // namespace

TEST(OrderedEvents, LaterSlotWaitsForEarlierOne) {
  Fixture f;
  projects::OrderedEvents events(f.bus);
  auto first = events.reserve("p");
  auto second = events.reserve("p");
  second.publish(f.io.get_executor(), "c", "2");
  f.settle();
  EXPECT_TRUE(f.got.empty()) << "published before its predecessor";
  first.publish(f.io.get_executor(), "c", "1");
  f.settle();
  EXPECT_EQ(f.got, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(events.pending(), 0u);
}

TEST(OrderedEvents, DroppedSlotIsSkipped) {
  Fixture f;
  projects::OrderedEvents events(f.bus);
  auto first = events.reserve("p");
  auto second = events.reserve("p");
  auto third = events.reserve("p");
  third.publish(f.io.get_executor(), "c", "3");
  second.publish(f.io.get_executor(), "c", "2");
  { auto failed = std::move(first); }  // the first write's transaction failed
  f.settle();
  EXPECT_EQ(f.got, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(events.pending(), 0u);
}

TEST(OrderedEvents, ProjectsDoNotWaitForEachOther) {
  Fixture f;
  projects::OrderedEvents events(f.bus);
  auto open = events.reserve("p");
  auto other = events.reserve("q");
  other.publish(f.io.get_executor(), "c", "q1");
  f.settle();
  EXPECT_EQ(f.got, (std::vector<std::string>{"q1"}));
  EXPECT_EQ(events.pending(), 1u);
}

TEST(OrderedEvents, ManyInOrder) {
  Fixture f;
  projects::OrderedEvents events(f.bus);
  std::vector<projects::OrderedEvents::Slot> slots;
  for (int i = 0; i < 100; ++i) {
    slots.push_back(events.reserve("p"));
  }
  // Filled backwards: nothing may leave before slot 0 is filled, then all in slot order.
  for (int i = 99; i >= 0; --i) {
    slots[static_cast<std::size_t>(i)].publish(f.io.get_executor(), "c", std::to_string(i));
  }
  f.settle();
  ASSERT_EQ(f.got.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(f.got[static_cast<std::size_t>(i)], std::to_string(i));
  }
}
