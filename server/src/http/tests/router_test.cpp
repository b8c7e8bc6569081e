#include <gtest/gtest.h>

#include "http/router.hpp"

using namespace collabdev;
using namespace collabdev::http;

namespace {
Handler noop() {
  return [](Request&) -> awaitable<Response> { co_return Response::no_content(); };
}
}  // namespace

TEST(Router, MatchesPathParameters) {
  Router r;
  r.get("/api/v1/projects/{id}", noop());
  r.post("/api/v1/projects/{id}/tasks/{taskId}/move", noop());
  auto m = r.match(Method::POST, "/api/v1/projects/p1/tasks/t9/move");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].second, "p1");
  EXPECT_EQ(m.params[1].second, "t9");
  EXPECT_EQ(*m.pattern, "/api/v1/projects/{id}/tasks/{taskId}/move");
}

TEST(Router, WrongMethodListsAllowed) {
  Router r;
  r.get("/a/{x}", noop());
  r.del("/a/{x}", noop());
  auto m = r.match(Method::PUT, "/a/1");
  EXPECT_EQ(m.outcome, Router::Outcome::wrong_method);
  EXPECT_EQ(m.allowed.size(), 2u);
  EXPECT_EQ(r.match(Method::GET, "/a/1/b").outcome, Router::Outcome::not_found);
  EXPECT_EQ(r.match(Method::HEAD, "/a/1").outcome, Router::Outcome::found);
}
