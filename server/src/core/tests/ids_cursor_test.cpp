// Canonical ids and the one cursor codec.
#include <gtest/gtest.h>

#include "core/cursor.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"

using namespace collabdev;

TEST(Ids, CanonicalIsLowerCase) {
  EXPECT_EQ(ids::canonical("0F0E0D0C-AbCd-4EF0-8a9B-00000000000A"), "0f0e0d0c-abcd-4ef0-8a9b-00000000000a");
  EXPECT_EQ(ids::canonical("0f0e0d0c-abcd-4ef0-8a9b-00000000000a"), "0f0e0d0c-abcd-4ef0-8a9b-00000000000a");
  EXPECT_FALSE(ids::canonical("not-a-uuid"));
  EXPECT_FALSE(ids::canonical(""));
  EXPECT_FALSE(ids::canonical("0f0e0d0c-abcd-4ef0-8a9b-00000000000g"));
}

TEST(Ids, MalformedIsNotFound) {
  try {
    ids::canonical_or_404("nope", "No such task.");
    FAIL() << "no problem thrown";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.problem().status, 404);
    EXPECT_EQ(e.problem().detail, "No such task.");
  }
}

TEST(Cursor, FieldsRoundTrip) {
  const auto text = encode_cursor_fields({"a", "", "c-d"});
  auto back = decode_cursor_fields(text, 3);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, (std::vector<std::string>{"a", "", "c-d"}));
  EXPECT_FALSE(decode_cursor_fields(text, 2));
  EXPECT_FALSE(decode_cursor_fields(text, 4));
  EXPECT_FALSE(decode_cursor_fields("***", 1));
  EXPECT_FALSE(decode_cursor_fields("", 1));
  EXPECT_FALSE(decode_cursor_fields(std::string(301, 'A'), 1));
}

TEST(Cursor, TimeId) {
  const std::string id = "0f0e0d0c-abcd-4ef0-8a9b-00000000000a";
  auto back = decode_time_id_cursor(encode_time_id_cursor("2024-01-02T03:04:05.123456Z", id));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->time, "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(back->id, id);
  EXPECT_FALSE(decode_time_id_cursor(encode_time_id_cursor("short", id)));
  EXPECT_FALSE(decode_time_id_cursor(encode_time_id_cursor("2024-01-02T03:04:05.123456Z", "x")));
}
