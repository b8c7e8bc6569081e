#include <gtest/gtest.h>

#include "modules/tasks/board_cache.hpp"

using namespace collabdev::tasks;

namespace {
std::shared_ptr<const std::string> text(std::size_t n, char c = 'x') {
  return std::make_shared<const std::string>(n, c);
}
}  // namespace

TEST(BoardCache, HitsOnlyForTheSameSequence) {
  BoardCache cache(1000);
  cache.store("p", 3, text(10));
  EXPECT_NE(cache.find("p", 3), nullptr);
  EXPECT_EQ(cache.find("p", 4), nullptr);
  EXPECT_EQ(cache.find("q", 3), nullptr);
  cache.store("p", 2, text(10, 'o'));  // an older rendering never replaces a newer one
  EXPECT_NE(cache.find("p", 3), nullptr);
}

TEST(BoardCache, EvictsLeastRecentlyUsedBeyondItsBudget) {
  BoardCache cache(100);
  cache.store("a", 1, text(20));
  cache.store("b", 1, text(20));
  cache.store("c", 1, text(20));
  EXPECT_NE(cache.find("a", 1), nullptr);  // a is now the most recent
  cache.store("d", 1, text(20));
  cache.store("e", 1, text(20));           // 100 bytes: still fits
  cache.store("f", 1, text(20));           // evicts b, the least recent
  EXPECT_EQ(cache.find("b", 1), nullptr);
  EXPECT_NE(cache.find("a", 1), nullptr);
  EXPECT_LE(cache.bytes(), 100u);
  cache.store("huge", 1, text(60));        // larger than a quarter of the budget: not kept
  EXPECT_EQ(cache.find("huge", 1), nullptr);
}
