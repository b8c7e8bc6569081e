#include <gtest/gtest.h>

#include "modules/links/mentions.hpp"

using collabdev::links::max_mentions;
using collabdev::links::parse_mentions;
using V = std::vector<std::int64_t>;

TEST(Mentions, FindsNumbersInOrderWithoutRepeats) {
  EXPECT_EQ(parse_mentions("fixes #42 and #7, see #42 again"), (V{42, 7}));
  EXPECT_EQ(parse_mentions("#1"), (V{1}));
  EXPECT_EQ(parse_mentions("(#3) [#4] #5."), (V{3, 4, 5}));
  EXPECT_EQ(parse_mentions("line\n#8\t#9"), (V{8, 9}));
}

TEST(Mentions, IgnoresWhatIsNotAMention) {
  EXPECT_EQ(parse_mentions("a#1 b_#2 ##3 &#39; page/#4 #x #"), V{});
  EXPECT_EQ(parse_mentions("#12abc #0 #00"), V{});
  EXPECT_EQ(parse_mentions("#1234567890"), V{});  // ten digits: too long, not a prefix of one
  EXPECT_EQ(parse_mentions("é#5"), V{});
  EXPECT_EQ(parse_mentions(""), V{});
}

TEST(Mentions, TakesNineDigitsAndStopsAtTheCap) {
  EXPECT_EQ(parse_mentions("#999999999"), (V{999999999}));
  std::string many;
  for (int i = 1; i <= 80; ++i) {
    many += "#" + std::to_string(i) + " ";
  }
  auto v = parse_mentions(many);
  ASSERT_EQ(v.size(), max_mentions);
  EXPECT_EQ(v.front(), 1);
  EXPECT_EQ(v.back(), static_cast<std::int64_t>(max_mentions));
}
