#include <functional>
#include <set>

#include <gtest/gtest.h>

#include "core/json.hpp"

using namespace collabdev;

namespace {
int status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ProblemError& e) {
    return e.problem().status;
  }
  return 0;
}
}  // namespace

TEST(Json, ParseRejectsBadBodies) {
  EXPECT_EQ(status_of([] { json::parse_object(""); }), 400);
  EXPECT_EQ(status_of([] { json::parse_object("{"); }), 400);
  EXPECT_EQ(status_of([] { json::parse_object("[1]"); }), 400);
  EXPECT_EQ(status_of([] { json::parse_object("{\"a\":\"\xff\"}"); }), 400);
  std::string deep(40, '[');
  deep = "{\"a\":" + deep + std::string(40, ']') + "}";
  EXPECT_EQ(status_of([&] { json::parse_object(deep); }), 400);
  EXPECT_EQ(status_of([] { json::parse_object("{\"a\":1}"); }), 0);
}

TEST(Json, FieldsCollectEveryError) {
  auto o = json::parse_object(R"({"name":"  ","n":1e300,"x":1,"id":"nope","when":"2023-02-29"})");
  json::Fields f(o);
  f.only({"name", "n", "id", "when"});
  f.string("name", {.min = 1});
  f.integer("n", 0, 100);
  f.uuid("id");
  f.date_patch("when");
  f.string("missing");
  try {
    f.check();
    FAIL();
  } catch (const ProblemError& e) {
    std::set<std::string> fields;
    for (const auto& err : e.problem().errors) {
      fields.insert(err.field);
    }
    EXPECT_EQ(fields, (std::set<std::string>{"x", "name", "n", "id", "when", "missing"}));
    EXPECT_EQ(e.problem().status, 422);
  }
}

TEST(Json, StringLengthCountsCharacters) {
  auto o = json::parse_object(R"({"t":"ééé"})");
  json::Fields f(o);
  EXPECT_EQ(f.string("t", {.max = 3}).value(), "ééé");
  f.check();
  json::Fields g(o);
  g.string("t", {.max = 2});
  EXPECT_FALSE(g.ok());
}

TEST(Json, Dates) {
  EXPECT_TRUE(json::is_iso_date("2024-02-29"));
  EXPECT_FALSE(json::is_iso_date("2023-02-29"));
  EXPECT_FALSE(json::is_iso_date("2023-13-01"));
  EXPECT_FALSE(json::is_iso_date("2023-1-01"));
}
