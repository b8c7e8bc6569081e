#include <gtest/gtest.h>

#include <sodium.h>

#include "modules/tasks/list_options.hpp"

using namespace collabdev::tasks;

namespace {
const std::string id = "0b0e4a58-9f6e-4d3a-a0a5-1b2c3d4e5f60";
}

TEST(ListOptions, SortNamesRoundTrip) {
  for (auto name : {"position", "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date",
                    "priority", "-priority"}) {
    auto s = parse_sort(name);
    ASSERT_TRUE(s) << name;
    EXPECT_EQ(sort_name(*s), name);
  }
  EXPECT_FALSE(parse_sort("title"));
  EXPECT_FALSE(parse_sort("-position"));
  EXPECT_FALSE(parse_sort(""));
}

TEST(ListOptions, CursorRoundTrip) {
  ASSERT_GE(sodium_init(), 0);
  Cursor c{Sort::created_at_desc, "2024-05-01T10:20:30.123456Z", "0", id};
  auto back = decode_cursor(encode_cursor(c), Sort::created_at_desc);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->k1, c.k1);
  EXPECT_EQ(back->k2, "0");
  EXPECT_EQ(back->id, id);
  auto pos = decode_cursor(encode_cursor({Sort::position, "2", "-65536", id}), Sort::position);
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->k2, "-65536");
  EXPECT_TRUE(decode_cursor(encode_cursor({Sort::due_date, "infinity", "0", id}), Sort::due_date));
  EXPECT_TRUE(decode_cursor(encode_cursor({Sort::due_date_desc, "2024-02-29", "0", id}), Sort::due_date_desc));
}

TEST(ListOptions, ForeignCursorsAreRefused) {
  ASSERT_GE(sodium_init(), 0);
  // Another order's cursor, malformed keys, garbage, an overlong text.
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::position, "1", "2", id}), Sort::created_at));
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::created_at, "yesterday", "0", id}), Sort::created_at));
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::due_date, "2024-02-30", "0", id}), Sort::due_date));
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::priority, "x", "0", id}), Sort::priority));
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::position, "1", "2", "not-a-uuid"}), Sort::position));
  EXPECT_FALSE(decode_cursor(encode_cursor({Sort::position, "1", "2|3", id}), Sort::position));
  EXPECT_FALSE(decode_cursor("garbage!", Sort::position));
  EXPECT_FALSE(decode_cursor("", Sort::position));
  EXPECT_FALSE(decode_cursor(std::string(400, 'A'), Sort::position));
}

TEST(ListOptions, IfMatch) {
  EXPECT_EQ(parse_if_match("\"3\"").version, 3);
  EXPECT_EQ(parse_if_match("W/\"12\"").version, 12);
  EXPECT_EQ(parse_if_match(" 7 ").version, 7);
  EXPECT_TRUE(parse_if_match("*").valid);
  EXPECT_FALSE(parse_if_match("*").version);
  EXPECT_FALSE(parse_if_match("\"abc\"").valid);
  EXPECT_FALSE(parse_if_match("\"0\"").valid);
  EXPECT_FALSE(parse_if_match("\"99999999999999999999\"").valid);
  EXPECT_FALSE(parse_if_match("\"-1\"").valid);
  EXPECT_FALSE(parse_if_match("\"\"").valid);
}
