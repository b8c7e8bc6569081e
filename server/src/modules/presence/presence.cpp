#include "modules/presence/presence.hpp"

#include <boost/json.hpp>

#include "bus/channels.hpp"
#include "core/json.hpp"

namespace collabdev::presence {

namespace bj = boost::json;

namespace {
// Only current members are shown: a user removed a moment ago may still be in the Redis set.
constexpr db::Statement present_members{
    "presence_members",
    "SELECT u.id, u.name, u.avatar_url FROM project_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.project_id = $1 AND m.user_id = ANY($2::uuid[]) ORDER BY u.name, u.id"};
}  // namespace

PresenceService::PresenceService(std::shared_ptr<db::Pool> pool, realtime::Gateway& gateway,
                                 auth::AuthService& auth, projects::ProjectsService& projects)
    : pool_(std::move(pool)), gateway_(gateway), auth_(auth), projects_(projects) {}

awaitable<http::Response> PresenceService::list(http::Request& req) {
  const auto scope = co_await projects_.scope(req);
  const auto& project = scope.project_id;
  auto users = co_await gateway_.present(channels::project_room(project));
  std::string array = "{";
  for (const auto& u : users) {
    if (json::is_uuid(u)) {
      array += (array.size() > 1 ? "," : "") + u;
    }
  }
  array += "}";
  auto r = co_await pool_->query(present_members, project, array);
  bj::array items;
  for (int i = 0; i < r.rows(); ++i) {
    auto avatar = r.get_optional(i, "avatar_url");
    items.push_back(bj::object{{"user_id", r.get(i, "id")},
                               {"name", r.get(i, "name")},
                               {"avatar_url", avatar ? bj::value(*avatar) : bj::value(nullptr)}});
  }
  co_return http::Response::json(bj::object{{"project", std::move(items)}});
}

void PresenceService::register_routes(http::Router& router) {
  router.get("/api/v1/projects/{id}/presence", [this](http::Request& r) { return list(r); });
}

}  // namespace collabdev::presence
