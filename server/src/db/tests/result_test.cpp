// Parameters and results without a database.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "db/db.hpp"

namespace collabdev::db {
namespace {

TEST(Param, TextForms) {
  EXPECT_FALSE(Param().value().has_value());
  EXPECT_FALSE(Param(std::nullopt).value().has_value());
  EXPECT_EQ(*Param("abc").value(), "abc");
  EXPECT_EQ(*Param(std::string_view("x")).value(), "x");
  EXPECT_EQ(*Param(std::int64_t{-9223372036854775807 - 1}).value(), "-9223372036854775808");
  EXPECT_EQ(*Param(42).value(), "42");
  EXPECT_EQ(*Param(true).value(), "t");
  EXPECT_EQ(*Param(false).value(), "f");
  EXPECT_FALSE(Param(std::optional<int>{}).value().has_value());
  EXPECT_EQ(*Param(std::optional<int>{7}).value(), "7");
}

TEST(Param, DoublesRoundTripAndSpecialValues) {
  EXPECT_EQ(*Param(1.5).value(), "1.5");
  EXPECT_EQ(*Param(0.1).value(), "0.1");
  EXPECT_EQ(std::stod(*Param(1e300).value()), 1e300);
  EXPECT_EQ(*Param(std::nan("")).value(), "NaN");
  EXPECT_EQ(*Param(std::numeric_limits<double>::infinity()).value(), "Infinity");
  EXPECT_EQ(*Param(-std::numeric_limits<double>::infinity()).value(), "-Infinity");
}

TEST(Result, EmptyResult) {
  const Result result;
  EXPECT_EQ(result.rows(), 0);
  EXPECT_EQ(result.columns(), 0);
  EXPECT_TRUE(result.empty());
  EXPECT_EQ(result.affected_rows(), 0);
  EXPECT_THROW(result.column("id"), std::out_of_range);
  EXPECT_THROW(result.get(0, 0), std::out_of_range);
}

TEST(Error, Classification) {
  EXPECT_TRUE(Error("dup", "23505").is_unique_violation());
  EXPECT_TRUE(Error("ser", "40001").is_serialization_failure());
  EXPECT_TRUE(Error("broken", "").sqlstate().empty());
}

}  // namespace
}  // namespace collabdev::db
