#include "modules/projects/projects.hpp"

#include <charconv>
#include <cstring>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "core/cursor.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/nullable.hpp"
#include "graph/outbox.hpp"
#include "modules/projects/queries.hpp"

namespace collabdev::projects {

namespace bj = boost::json;

namespace {

constexpr std::int64_t default_page = 50;
constexpr std::int64_t max_page = 200;
constexpr std::size_t max_description = 10000;

bj::object project_json(const db::Result& r, int row, std::optional<std::string_view> role) {
  bj::object o;
  o["id"] = r.get(row, "id");
  o["name"] = r.get(row, "name");
  o["description"] = nullable(r.get_optional(row, "description"));
  o["created_by"] = r.get(row, "created_by");
  o["created_at"] = r.get(row, "created_at");
  o["updated_at"] = r.get(row, "updated_at");
  if (role) {
    o["role"] = *role;
  }
  return o;
}

bj::object member_json(const db::Result& r, int row) {
  return bj::object{{"user_id", r.get(row, "user_id")},   {"email", r.get(row, "email")},
                    {"name", r.get(row, "name")},         {"avatar_url", nullable(r.get_optional(row, "avatar_url"))},
                    {"role", r.get(row, "role")},         {"joined_at", r.get(row, "joined_at")}};
}

Role role_from(const db::Result& r) {
  if (r.empty()) {
    fail(problems::not_found("No such project."));
  }
  auto role = parse_role(r.get(0, 0));
  if (!role) {
    throw std::logic_error("unknown role in project_members");
  }
  return *role;
}

void check_allowed(Role role, Action action) {
  if (!allowed(role, action)) {
    fail(problems::forbidden("Your role in this project does not allow this."));
  }
}

}  // namespace

ProjectsService::ProjectsService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus,
                                 auth::AuthService& auth)
    : pool_(std::move(pool)), bus_(bus), auth_(auth), board_events_(std::move(bus)) {}

awaitable<Scope> ProjectsService::scope(http::Request& req, Action action) {
  auto me = co_await auth_.require(req);
  Scope s{ids::canonical_or_404(req.param("id"), "No such project."), me.user_id, Role::member};
  s.role = role_from(co_await pool_->query(sql::role_of, s.project_id, s.user_id));
  check_allowed(s.role, action);
  co_return s;
}

awaitable<void> ProjectsService::lock(db::Transaction& tx, Scope& scope, Action action, ProjectLock mode) {
  auto locked = co_await tx.query(mode == ProjectLock::membership ? sql::lock_project : sql::lock_project_content,
                                  scope.project_id);
  if (locked.empty()) {
    fail(problems::not_found("No such project."));
  }
  co_await confirm(tx, scope, action);
}

awaitable<void> ProjectsService::confirm(db::Transaction& tx, Scope& scope, Action action) {
  // The name comes with the role, for the `actor` of the events this write publishes.
  auto r = co_await tx.query(sql::role_and_name_of, scope.project_id, scope.user_id);
  scope.role = role_from(r);
  scope.user_name = r.get(0, "name");
  check_allowed(scope.role, action);
}

awaitable<Role> ProjectsService::require_member(const std::string& project_id, const std::string& user_id) {
  const auto id = ids::canonical_or_404(project_id, "No such project.");
  co_return role_from(co_await pool_->query(sql::role_of, id, user_id));
}

awaitable<Role> ProjectsService::require(const std::string& project_id, const std::string& user_id, Action action) {
  auto role = co_await require_member(project_id, user_id);
  check_allowed(role, action);
  co_return role;
}

awaitable<void> ProjectsService::publish_membership(const std::string& project_id, std::string_view kind,
                                                    const std::string& user_id) {
  // An envelope of the realtime protocol: the gateway forwards it to the project's room as it is.
  bj::object ev{{"type", kind},
                {"room", channels::project_room(project_id)},
                {"data", bj::object{{"project_id", project_id}, {"user_id", user_id}}}};
  if (!co_await bus_->publish(channels::project_members(project_id), bj::serialize(ev))) {
    spdlog::warn("membership event for project {} not published: bus unreachable", project_id);
  }
  // The same event in the user's own room, where their projects list listens.
  ev["room"] = channels::user_room(user_id);
  if (!co_await bus_->publish(channels::user_projects(user_id), bj::serialize(ev))) {
    spdlog::warn("membership event for user {} not published: bus unreachable", user_id);
  }
}

awaitable<http::Response> ProjectsService::create(http::Request& req) {
  auto me = co_await auth_.require(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "description"});
  auto name = f.string("name", {.min = 1, .max = 255});
  auto description = f.string_patch("description", {.required = false, .max = max_description, .nullable = true});
  f.check();
  auto tx = co_await pool_->begin();
  auto r = co_await tx.query(sql::insert_project, *name, description.value, me.user_id);
  const std::string id(r.get(0, "id"));
  co_await tx.query(sql::insert_owner, id, me.user_id);
  co_await tx.query(sql::insert_default_columns, id);
  co_await tx.commit();
  auto res = http::Response::json(project_json(r, 0, "OWNER"), 201);
  res.header("Location", "/api/v1/projects/" + id);
  co_return res;
}

awaitable<http::Response> ProjectsService::list(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto limit = http::page_limit(req, default_page, max_page);
  std::optional<TimeIdCursor> cursor;
  if (auto c = req.query_param("cursor"); c && !c->empty()) {
    cursor = decode_time_id_cursor(*c);
    if (!cursor) {
      fail(problems::bad_request("cursor is not one this server gave out", "cursor"));
    }
  }
  std::optional<std::string> after_time;
  std::optional<std::string> after_id;
  if (cursor) {
    after_time = cursor->time;
    after_id = cursor->id;
  }
  db::Result r;
  try {
    r = co_await pool_->query(sql::list_mine, me.user_id, after_time, after_id, limit + 1);
  } catch (const db::Error& e) {
    if (!e.sqlstate().empty() && e.sqlstate().starts_with("22")) {
      fail(problems::bad_request("cursor is not one this server gave out", "cursor"));
    }
    throw;
  }
  bj::array items;
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  for (int i = 0; i < n; ++i) {
    items.push_back(project_json(r, i, r.get(i, "role")));
  }
  bj::value next = nullptr;
  if (r.rows() > limit) {
    next = encode_time_id_cursor(r.get(n - 1, "created_at"), r.get(n - 1, "id"));
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", next}});
}

awaitable<http::Response> ProjectsService::get(http::Request& req) {
  // One query answers both "is the caller a member" and "what is the project".
  auto me = co_await auth_.require(req);
  const auto id = ids::canonical_or_404(req.param("id"), "No such project.");
  auto r = co_await pool_->query(sql::get_project, id, me.user_id);
  if (r.empty()) {
    fail(problems::not_found("No such project."));
  }
  co_return http::Response::json(project_json(r, 0, r.get(0, "role")));
}

awaitable<http::Response> ProjectsService::update(http::Request& req) {
  auto scope = co_await this->scope(req, Action::update_project);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "description"});
  auto name = f.string_patch("name", {.required = false, .min = 1, .max = 255});
  auto description = f.string_patch("description", {.required = false, .max = max_description, .nullable = true});
  f.check();
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::update_project, ProjectLock::membership);
  auto r = co_await tx.query(sql::update_project, scope.project_id, name.present, name.value, description.present,
                             description.value);
  co_await tx.commit();
  co_return http::Response::json(project_json(r, 0, role_name(scope.role)));
}

awaitable<http::Response> ProjectsService::remove(http::Request& req) {
  auto scope = co_await this->scope(req, Action::delete_project);
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::delete_project, ProjectLock::membership);
  auto members = co_await tx.query(sql::list_members, scope.project_id);
  co_await tx.query(sql::delete_project, scope.project_id);
  // Its links went with it (ON DELETE CASCADE); the graph mirror drops its nodes.
  const bj::object nothing;
  co_await graph::record(tx, scope.project_id, "project.delete", nothing);
  co_await tx.commit();
  for (int i = 0; i < members.rows(); ++i) {
    co_await publish_membership(scope.project_id, "project.deleted", std::string(members.get(i, "user_id")));
  }
  co_return http::Response::no_content();
}

awaitable<http::Response> ProjectsService::list_members(http::Request& req) {
  auto scope = co_await this->scope(req, Action::view_members);
  auto r = co_await pool_->query(sql::list_members, scope.project_id);
  bj::array items;
  for (int i = 0; i < r.rows(); ++i) {
    items.push_back(member_json(r, i));
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

awaitable<http::Response> ProjectsService::add_member(http::Request& req) {
  auto scope = co_await this->scope(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"email", "role"});
  auto email = f.string("email", {.min = 1, .max = 255});
  auto role_text = f.one_of("role", {"OWNER", "MAINTAINER", "MEMBER"});
  f.check();
  const auto role = *parse_role(*role_text);
  auto check = [&] {
    if (!allowed(scope.role, Action::add_member, std::nullopt, role)) {
      fail(problems::forbidden(scope.role == Role::member ? "Members cannot add people to the project."
                                                          : "Maintainers may add members with the MEMBER role only."));
    }
  };
  check();
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::view_members, ProjectLock::membership);
  check();
  auto u = co_await tx.query(sql::user_by_email, *email);
  if (u.empty()) {
    fail(problems::field("email", "belongs to no account: ask them to sign up first"));
  }
  const std::string user_id(u.get(0, "id"));
  auto ins = co_await tx.query(sql::insert_member, scope.project_id, user_id, role_name(role));
  if (ins.affected_rows() == 0) {
    fail(problems::conflict("This user is already a member of the project.", "email"));
  }
  auto m = co_await tx.query(sql::get_member, scope.project_id, user_id);
  co_await tx.commit();
  co_await publish_membership(scope.project_id, "member.added", user_id);
  co_return http::Response::json(member_json(m, 0), 201);
}

awaitable<http::Response> ProjectsService::change_role(http::Request& req) {
  auto scope = co_await this->scope(req);
  const auto target = ids::canonical_or_404(req.param("userId"), "No such member.");
  const auto& id = scope.project_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"role"});
  auto role_text = f.one_of("role", {"OWNER", "MAINTAINER", "MEMBER"});
  f.check();
  const auto new_role = *parse_role(*role_text);
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::view_members, ProjectLock::membership);
  auto current = co_await tx.query(sql::role_of, id, target);
  if (current.empty()) {
    fail(problems::not_found("No such member."));
  }
  const auto target_role = *parse_role(current.get(0, 0));
  if (!allowed(scope.role, Action::change_role, target_role, new_role)) {
    fail(problems::forbidden("Only an OWNER may change roles."));
  }
  if (target_role == Role::owner && new_role != Role::owner) {
    auto owners = co_await tx.query(sql::count_owners, id);
    if (owners.get_int(0, "n") <= 1) {
      fail(problems::conflict("A project keeps at least one OWNER; make someone else OWNER first.", "role"));
    }
  }
  co_await tx.query(sql::set_role, id, target, role_name(new_role));
  auto m = co_await tx.query(sql::get_member, id, target);
  co_await tx.commit();
  co_await publish_membership(id, "member.updated", target);
  co_return http::Response::json(member_json(m, 0));
}

awaitable<void> ProjectsService::drop_member(Scope& scope, const std::string& target_id) {
  const auto& project_id = scope.project_id;
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::view_members, ProjectLock::membership);
  const auto actor_role = scope.role;
  auto current = co_await tx.query(sql::role_of, project_id, target_id);
  if (current.empty()) {
    fail(problems::not_found("No such member."));
  }
  const auto target_role = *parse_role(current.get(0, 0));
  if (scope.user_id != target_id && !allowed(actor_role, Action::remove_member, target_role)) {
    fail(problems::forbidden(actor_role == Role::member ? "Members cannot remove others."
                                                        : "Maintainers may remove MEMBERs only."));
  }
  if (target_role == Role::owner) {
    auto owners = co_await tx.query(sql::count_owners, project_id);
    if (owners.get_int(0, "n") <= 1) {
      fail(problems::conflict("A project keeps at least one OWNER; transfer ownership first."));
    }
  }
  auto unassigned = co_await tx.query(sql::unassign_tasks, project_id, target_id);
  std::int64_t seq = 0;
  OrderedEvents::Slot board_event;
  if (unassigned.rows() > 0) {
    auto b = co_await tx.query(sql::bump_board_seq, project_id);
    seq = b.get_int(0, "board_seq");
    board_event = board_events_.reserve(project_id);
  }
  co_await tx.query(sql::delete_member, project_id, target_id);
  co_await tx.commit();
  co_await publish_membership(project_id, "member.removed", target_id);
  if (seq > 0) {
    bj::array task_ids;
    for (int i = 0; i < unassigned.rows(); ++i) {
      task_ids.push_back(bj::string(unassigned.get(i, "id")));
    }
    bj::object ev{{"type", "tasks.unassigned"},
                  {"room", channels::project_room(project_id)},
                  {"seq", seq},
                  {"actor", bj::object{{"id", scope.user_id}, {"name", scope.user_name}}},
                  {"data", bj::object{{"user_id", target_id}, {"task_ids", std::move(task_ids)}}}};
    board_event.publish(co_await asio::this_coro::executor, channels::project_tasks(project_id), bj::serialize(ev));
  }
}

awaitable<http::Response> ProjectsService::remove_member(http::Request& req) {
  auto scope = co_await this->scope(req);
  const auto target = ids::canonical_or_404(req.param("userId"), "No such member.");
  co_await drop_member(scope, target);
  co_return http::Response::no_content();
}

awaitable<http::Response> ProjectsService::leave(http::Request& req) {
  auto scope = co_await this->scope(req);
  const auto me = scope.user_id;
  co_await drop_member(scope, me);
  co_return http::Response::no_content();
}

awaitable<http::Response> ProjectsService::transfer(http::Request& req) {
  auto scope = co_await this->scope(req, Action::transfer_ownership);
  const auto& id = scope.project_id;
  const auto& me = scope.user_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"user_id"});
  auto target = f.uuid("user_id");
  f.check();
  if (*target == me) {
    fail(problems::field("user_id", "is already an OWNER"));
  }
  auto tx = co_await pool_->begin();
  co_await lock(tx, scope, Action::transfer_ownership, ProjectLock::membership);
  auto current = co_await tx.query(sql::role_of, id, *target);
  if (current.empty()) {
    fail(problems::field("user_id", "is not a member of this project"));
  }
  co_await tx.query(sql::set_role, id, *target, "OWNER");
  co_await tx.query(sql::set_role, id, me, "MAINTAINER");
  auto members = co_await tx.query(sql::list_members, id);
  co_await tx.commit();
  co_await publish_membership(id, "member.updated", *target);
  co_await publish_membership(id, "member.updated", me);
  bj::array items;
  for (int i = 0; i < members.rows(); ++i) {
    items.push_back(member_json(members, i));
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

void ProjectsService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (ProjectsService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.post("/api/v1/projects", bind(&ProjectsService::create));
  router.get("/api/v1/projects", bind(&ProjectsService::list));
  router.get("/api/v1/projects/{id}", bind(&ProjectsService::get));
  router.patch("/api/v1/projects/{id}", bind(&ProjectsService::update));
  router.del("/api/v1/projects/{id}", bind(&ProjectsService::remove));
  router.get("/api/v1/projects/{id}/members", bind(&ProjectsService::list_members));
  router.post("/api/v1/projects/{id}/members", bind(&ProjectsService::add_member));
  router.patch("/api/v1/projects/{id}/members/{userId}", bind(&ProjectsService::change_role));
  router.del("/api/v1/projects/{id}/members/{userId}", bind(&ProjectsService::remove_member));
  router.post("/api/v1/projects/{id}/leave", bind(&ProjectsService::leave));
  router.post("/api/v1/projects/{id}/transfer-ownership", bind(&ProjectsService::transfer));
}

}  // namespace collabdev::projects
