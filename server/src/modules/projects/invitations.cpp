#include "modules/projects/invitations.hpp"

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/nullable.hpp"
#include "modules/projects/invitation_queries.hpp"

namespace collabdev::projects {

namespace bj = boost::json;

namespace {

constexpr std::int64_t min_hours = 1;
constexpr std::int64_t max_hours = 30 * 24;
constexpr std::int64_t default_hours = 7 * 24;
constexpr std::int64_t max_uses_limit = 10000;
constexpr std::size_t max_token = 128;

bj::object invitation_json(const db::Result& r, int row) {
  bj::object o{{"id", r.get(row, "id")},
               {"project_id", r.get(row, "project_id")},
               {"role", r.get(row, "role")},
               {"created_by", nullable(r.get_optional(row, "created_by"))},
               {"created_at", r.get(row, "created_at")},
               {"expires_at", r.get(row, "expires_at")},
               {"uses", r.get_int(row, "uses")}};
  if (r.get_optional(row, "max_uses")) {
    o["max_uses"] = r.get_int(row, "max_uses");
  } else {
    o["max_uses"] = nullptr;
  }
  return o;
}

Problem gone(std::string detail) { return problems::make(410, "gone", "Gone.", std::move(detail)); }

// 404 for a token this server never gave out, 410 for one that can no longer be used.
void check_usable(const db::Result& r) {
  if (r.empty()) {
    fail(problems::not_found("No such invitation: check that the link was copied whole."));
  }
  if (r.get_bool(0, "revoked")) {
    fail(gone("This invitation was revoked; ask for a new link."));
  }
  if (r.get_bool(0, "expired")) {
    fail(gone("This invitation has expired; ask for a new link."));
  }
}

void check_not_used_up(const db::Result& r) {
  if (r.get_bool(0, "used_up")) {
    fail(gone("This invitation has been used as many times as it allows; ask for a new link."));
  }
}

std::string token_of(http::Request& req) {
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"token"});
  auto token = f.string("token", {.min = 1, .max = max_token});
  f.check();
  return *token;
}

bj::object answer(const db::Result& inv, std::string_view role, bool already_member) {
  return bj::object{{"project", bj::object{{"id", inv.get(0, "project_id")}, {"name", inv.get(0, "project_name")}}},
                    {"role", role},
                    {"expires_at", inv.get(0, "expires_at")},
                    {"already_member", already_member}};
}

void check_may_invite(Role actor, Role role) {
  if (!allowed(actor, Action::invite, std::nullopt, role)) {
    fail(problems::forbidden(actor == Role::member ? "Members cannot invite people to the project."
                                                   : "Maintainers may invite with the MEMBER role only."));
  }
}

}  // namespace

InvitationsService::InvitationsService(std::shared_ptr<db::Pool> pool, auth::AuthService& auth,
                                       ProjectsService& projects)
    : pool_(std::move(pool)), auth_(auth), projects_(projects) {}

awaitable<http::Response> InvitationsService::create(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_invitations);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"role", "expires_in_hours", "max_uses"});
  auto role_text = f.one_of("role", {"MEMBER", "MAINTAINER"}, false);
  auto hours = f.integer("expires_in_hours", min_hours, max_hours, false);
  std::optional<std::int64_t> max_uses;
  if (const auto* v = body.if_contains("max_uses"); v != nullptr && !v->is_null()) {
    max_uses = f.integer("max_uses", 1, max_uses_limit);
  }
  f.check();
  const auto role = role_text ? *parse_role(*role_text) : Role::member;
  check_may_invite(scope.role, role);
  const auto token = auth::new_token();
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::manage_invitations, ProjectLock::content);
  check_may_invite(scope.role, role);
  auto r = co_await tx.query(sql::insert_invitation, scope.project_id, auth::token_hash(token), role_name(role),
                             scope.user_id, hours.value_or(default_hours), max_uses);
  co_await tx.commit();
  auto o = invitation_json(r, 0);
  o["token"] = token;
  auto res = http::Response::json(o, 201);
  res.header("Location", "/api/v1/projects/" + scope.project_id + "/invitations/" + std::string(r.get(0, "id")));
  co_return res;
}

awaitable<http::Response> InvitationsService::list(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_invitations);
  auto r = co_await pool_->query(sql::list_open_invitations, scope.project_id);
  bj::array items;
  for (int i = 0; i < r.rows(); ++i) {
    items.push_back(invitation_json(r, i));
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

awaitable<http::Response> InvitationsService::revoke(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_invitations);
  const auto id = ids::canonical_or_404(req.param("invitationId"), "No such invitation.");
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::manage_invitations, ProjectLock::content);
  auto r = co_await tx.query(sql::revoke_invitation, id, scope.project_id);
  if (r.empty()) {
    fail(problems::not_found("No such invitation."));
  }
  co_await tx.commit();
  co_return http::Response::no_content();
}

awaitable<http::Response> InvitationsService::preview(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto hash = auth::token_hash(token_of(req));
  auto inv = co_await pool_->query(sql::invitation_by_hash, hash);
  check_usable(inv);
  const std::string project_id(inv.get(0, "project_id"));
  auto mine = co_await pool_->query(sql::role_of, project_id, me.user_id);
  if (!mine.empty()) {
    co_return http::Response::json(answer(inv, mine.get(0, "role"), true));
  }
  check_not_used_up(inv);
  co_return http::Response::json(answer(inv, inv.get(0, "role"), false));
}

awaitable<http::Response> InvitationsService::accept(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto hash = auth::token_hash(token_of(req));
  auto found = co_await pool_->query(sql::invitation_by_hash, hash);
  check_usable(found);
  const std::string project_id(found.get(0, "project_id"));
  auto tx = co_await pool_->begin();
  // As any membership change: under the project's row lock (then the link's, to count its uses).
  if ((co_await tx.query(sql::lock_project, project_id)).empty()) {
    fail(problems::not_found("No such invitation: check that the link was copied whole."));
  }
  auto inv = co_await tx.query(sql::lock_invitation_by_hash, hash);
  check_usable(inv);
  auto mine = co_await tx.query(sql::role_of, project_id, me.user_id);
  if (!mine.empty()) {
    // Accepting twice (or as a member already) changes nothing and uses nothing up.
    co_await tx.commit();
    co_return http::Response::json(answer(inv, mine.get(0, "role"), true));
  }
  check_not_used_up(inv);
  const std::string role(inv.get(0, "role"));
  co_await tx.query(sql::insert_member, project_id, me.user_id, role);
  co_await tx.query(sql::use_invitation, std::string(inv.get(0, "id")));
  co_await tx.commit();
  co_await projects_.publish_membership(project_id, "member.added", me.user_id);
  co_return http::Response::json(answer(inv, role, false), 201);
}

void InvitationsService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (InvitationsService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.post("/api/v1/projects/{id}/invitations", bind(&InvitationsService::create));
  router.get("/api/v1/projects/{id}/invitations", bind(&InvitationsService::list));
  router.del("/api/v1/projects/{id}/invitations/{invitationId}", bind(&InvitationsService::revoke));
  // The token travels in the body, not the URL, so that it stays out of access logs.
  router.post("/api/v1/invitations/preview", bind(&InvitationsService::preview));
  router.post("/api/v1/invitations/accept", bind(&InvitationsService::accept));
}

}  // namespace collabdev::projects
