#include "modules/chat/chat.hpp"

#include <charconv>
#include <cstring>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "core/cursor.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/nullable.hpp"
#include "modules/chat/queries.hpp"
#include "modules/links/hooks.hpp"

namespace collabdev::chat {

namespace bj = boost::json;

namespace {

constexpr std::size_t max_content = 10000;
constexpr std::int64_t default_page = 50;
constexpr std::int64_t max_page = 200;

bj::object message_json(const db::Result& r, int row) {
  bj::object o;
  o["id"] = r.get(row, "id");
  o["project_id"] = r.get(row, "project_id");
  o["author_id"] = r.get(row, "author_id");
  o["author_name"] = r.get(row, "author_name");
  o["content"] = nullable(r.get_optional(row, "content"));
  o["reply_to_id"] = nullable(r.get_optional(row, "reply_to_id"));
  o["created_at"] = r.get(row, "created_at");
  o["edited_at"] = nullable(r.get_optional(row, "edited_at"));
  o["deleted_at"] = nullable(r.get_optional(row, "deleted_at"));
  o["cursor"] = encode_time_id_cursor(r.get(row, "created_at"), r.get(row, "id"));
  return o;
}

std::string message_id_of(const http::Request& req) {
  return ids::canonical_or_404(req.param("messageId"), "No such message.");
}

}  // namespace

ChatService::ChatService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth,
                         projects::ProjectsService& projects)
    : pool_(std::move(pool)), bus_(std::move(bus)), auth_(auth), projects_(projects) {}

awaitable<void> ChatService::publish(const std::string& project_id, std::string_view type,
                                     const bj::object& message) {
  bj::object ev{{"type", type}, {"room", channels::project_room(project_id)}, {"data", message}};
  if (!co_await bus_->publish(channels::project_chat(project_id), bj::serialize(ev))) {
    spdlog::warn("chat event for project {} not published: bus unreachable", project_id);
  }
}

awaitable<http::Response> ChatService::list(http::Request& req) {
  const auto scope = co_await projects_.scope(req);
  const auto& project = scope.project_id;
  const auto limit = http::page_limit(req, default_page, max_page);
  auto before = req.query_param("before");
  auto after = req.query_param("after");
  if (before && after) {
    fail(problems::bad_request("give before or after, not both", "after"));
  }
  std::optional<TimeIdCursor> cursor;
  if (before || after) {
    cursor = decode_time_id_cursor(before ? *before : *after);
    if (!cursor) {
      fail(problems::bad_request("not a cursor this server gave out", before ? "before" : "after"));
    }
  }
  db::Result r;
  try {
    if (after) {
      r = co_await pool_->query(sql::list_after, project, cursor->time, cursor->id, limit + 1);
    } else {
      std::optional<std::string> t;
      std::optional<std::string> id;
      if (cursor) {
        t = cursor->time;
        id = cursor->id;
      }
      r = co_await pool_->query(sql::list_before, project, t, id, limit + 1);
    }
  } catch (const db::Error& e) {
    if (e.sqlstate().starts_with("22")) {
      fail(problems::bad_request("not a cursor this server gave out", after ? "after" : "before"));
    }
    throw;
  }
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  bj::array items;
  items.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    items.push_back(message_json(r, i));
  }
  bj::value next = nullptr;
  if (r.rows() > limit) {
    // Before: continue to older messages; after: continue to newer ones.
    next = items.back().as_object().at("cursor");
  }
  if (after) {
    std::reverse(items.begin(), items.end());  // always newest first
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", next}});
}

awaitable<http::Response> ChatService::send(http::Request& req) {
  auto scope = co_await projects_.scope(req, projects::Action::post_message);
  const auto& project = scope.project_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"content", "reply_to_id"});
  auto content = f.string("content", {.min = 1, .max = max_content, .trim = false});
  if (content && content->find_first_not_of(" \t\r\n") == std::string::npos) {
    f.error("content", "must not be blank");
  }
  auto reply_to = f.uuid_patch("reply_to_id");
  f.check();
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, projects::Action::post_message, projects::ProjectLock::content);
  if (reply_to.value) {
    auto r = co_await tx.query(sql::message_in_project, *reply_to.value, project);
    if (r.empty()) {
      fail(problems::field("reply_to_id", "is not a message of this project"));
    }
  }
  auto r = co_await tx.query(sql::insert_message, project, scope.user_id, *content, reply_to.value);
  auto mentions = co_await links::sync_mentions(tx, project, r.get(0, "id"), scope.user_id, *content, false);
  co_await tx.commit();
  auto message = message_json(r, 0);
  co_await publish(project, "message.created", message);
  bj::object actor;
  actor["id"] = scope.user_id;
  actor["name"] = scope.user_name;
  co_await links::publish_link_changes(*bus_, project, mentions, actor);
  co_return http::Response::json(message, 201);
}

awaitable<http::Response> ChatService::edit(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project = scope.project_id;
  const auto id = message_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"content"});
  auto content = f.string("content", {.min = 1, .max = max_content, .trim = false});
  if (content && content->find_first_not_of(" \t\r\n") == std::string::npos) {
    f.error("content", "must not be blank");
  }
  f.check();
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, projects::Action::view_project, projects::ProjectLock::content);
  auto owner = co_await tx.query(sql::message_owner, id, project);
  if (owner.empty()) {
    fail(problems::not_found("No such message."));
  }
  if (owner.get(0, "author_id") != scope.user_id) {
    fail(problems::forbidden("Only the author may edit a message."));
  }
  if (owner.get_bool(0, "deleted")) {
    fail(problems::conflict("The message was deleted."));
  }
  auto r = co_await tx.query(sql::edit_message, id, project, *content);
  if (r.empty()) {
    fail(problems::conflict("The message was deleted."));
  }
  auto mentions = co_await links::sync_mentions(tx, project, id, scope.user_id, *content, true);
  co_await tx.commit();
  auto message = message_json(r, 0);
  co_await publish(project, "message.updated", message);
  bj::object actor;
  actor["id"] = scope.user_id;
  actor["name"] = scope.user_name;
  co_await links::publish_link_changes(*bus_, project, mentions, actor);
  co_return http::Response::json(message);
}

awaitable<http::Response> ChatService::remove(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project = scope.project_id;
  const auto id = message_id_of(req);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, projects::Action::view_project, projects::ProjectLock::content);
  auto owner = co_await tx.query(sql::message_owner, id, project);
  if (owner.empty()) {
    fail(problems::not_found("No such message."));
  }
  if (owner.get(0, "author_id") != scope.user_id &&
      !projects::allowed(scope.role, projects::Action::moderate_messages)) {
    fail(problems::forbidden("Only the author, a MAINTAINER or an OWNER may delete a message."));
  }
  auto r = co_await tx.query(sql::delete_message, id, project);
  if (!r.empty()) {
    co_await links::artifact_deleted(tx, project, "MESSAGE", id);
  }
  co_await tx.commit();
  if (!r.empty()) {
    co_await publish(project, "message.deleted", message_json(r, 0));
  }
  co_return http::Response::no_content();
}

void ChatService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (ChatService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.get("/api/v1/projects/{id}/messages", bind(&ChatService::list));
  router.post("/api/v1/projects/{id}/messages", bind(&ChatService::send));
  router.patch("/api/v1/projects/{id}/messages/{messageId}", bind(&ChatService::edit));
  router.del("/api/v1/projects/{id}/messages/{messageId}", bind(&ChatService::remove));
}

}  // namespace collabdev::chat
