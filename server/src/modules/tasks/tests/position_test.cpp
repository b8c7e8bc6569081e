#include <gtest/gtest.h>

#include "modules/tasks/position.hpp"

using namespace collabdev::tasks;

TEST(Position, EmptyColumnStartsAtZero) { EXPECT_EQ(position_between(std::nullopt, std::nullopt), 0); }

TEST(Position, AppendAndPrependStepAway) {
  EXPECT_EQ(position_between(100, std::nullopt), 100 + position_step);
  EXPECT_EQ(position_between(std::nullopt, 100), 100 - position_step);
}

TEST(Position, BetweenTakesTheMidpoint) {
  EXPECT_EQ(position_between(0, position_step), position_step / 2);
  EXPECT_EQ(position_between(-10, 10), 0);
  EXPECT_EQ(position_between(4, 6), 5);
}

TEST(Position, NoGapAsksForRenumbering) {
  EXPECT_EQ(position_between(5, 6), std::nullopt);
  EXPECT_EQ(position_between(5, 5), std::nullopt);   // duplicates (never written, but healed)
  EXPECT_EQ(position_between(7, 5), std::nullopt);   // out of order
}

TEST(Position, SixteenHalvingsFitInOneStep) {
  // Inserting again and again right after the first task: one renumbering per 16 inserts at most.
  std::int64_t prev = 0;
  std::int64_t next = position_step;
  int inserts = 0;
  while (auto p = position_between(prev, next)) {
    EXPECT_GT(*p, prev);
    EXPECT_LT(*p, next);
    next = *p;
    ++inserts;
  }
  EXPECT_EQ(inserts, 16);
}

TEST(Position, StaysWithinWhatJavaScriptReadsExactly) {
  EXPECT_EQ(position_between(max_safe_position - 1, std::nullopt), std::nullopt);
  EXPECT_EQ(position_between(std::nullopt, -max_safe_position + 1), std::nullopt);
  EXPECT_EQ(position_between(max_safe_position + 5, std::nullopt), std::nullopt);
  EXPECT_EQ(position_between(INT64_MIN, INT64_MAX), std::nullopt);  // no overflow in next - prev
  EXPECT_EQ(position_between(-max_safe_position, max_safe_position), 0);
}

TEST(Position, RenumberedSlots) {
  EXPECT_EQ(renumbered_position(0), 0);
  EXPECT_EQ(renumbered_position(3), 3 * position_step);
}
