#include <gtest/gtest.h>

#include "bus/resp.hpp"

namespace collabdev::bus {
namespace {

TEST(Resp, FormatsBinarySafeBulkStrings) {
  const std::string payload("a\0b\r\n", 5);
  EXPECT_EQ(format_command({"SET", "k", payload}), std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\0b\r\n\r\n", 31));
  EXPECT_EQ(format_command({"PING"}), "*1\r\n$4\r\nPING\r\n");
  EXPECT_THROW(format_command({}), std::invalid_argument);
}

TEST(Resp, ParsesEveryReplyTypeAcrossSplitFeeds) {
  RespReader reader;
  std::vector<Reply> replies;
  // One byte at a time: the reader must keep partial replies.
  for (char c : std::string("+OK\r\n-ERR bad\r\n:42\r\n$-1\r\n$3\r\na") + std::string(1, '\0') +
                    "b\r\n*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n*1\r\n:1\r\n") {
    ASSERT_TRUE(reader.feed(&c, 1));
    while (auto r = reader.next()) {
      replies.push_back(std::move(*r));
    }
  }
  ASSERT_FALSE(reader.broken());
  ASSERT_EQ(replies.size(), 6u);
  EXPECT_TRUE(replies[0].is_status("OK"));
  EXPECT_EQ(replies[1].type, Reply::Type::error);
  EXPECT_EQ(replies[1].str, "ERR bad");
  EXPECT_TRUE(replies[1].failed());
  EXPECT_EQ(replies[2].type, Reply::Type::integer);
  EXPECT_EQ(replies[2].integer, 42);
  EXPECT_EQ(replies[3].type, Reply::Type::nil);
  EXPECT_EQ(replies[4].str, std::string("a\0b", 3));
  ASSERT_EQ(replies[5].type, Reply::Type::array);
  ASSERT_EQ(replies[5].elements.size(), 3u);
  EXPECT_EQ(replies[5].elements[0].str, "message");
  EXPECT_EQ(replies[5].elements[2].elements.at(0).integer, 1);
}

TEST(Resp, DetectsProtocolErrors) {
  RespReader reader;
  const std::string garbage = "?what\r\n";
  ASSERT_TRUE(reader.feed(garbage.data(), garbage.size()));
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_TRUE(reader.broken());
  EXPECT_FALSE(reader.error().empty());
}

}  // namespace
}  // namespace collabdev::bus
