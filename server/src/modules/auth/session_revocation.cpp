// Sign-out reaching open WebSockets: the deleted sessions are published for every instance's
// gateway, which closes their sockets; after a bus reconnect it asks which are still valid.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "modules/auth/auth.hpp"
#include "modules/auth/queries.hpp"

namespace collabdev::auth {

namespace bj = boost::json;

awaitable<void> AuthService::publish_revoked(const db::Result& deleted_sessions) {
  if (!bus_ || deleted_sessions.empty()) {
    co_return;
  }
  bj::array ids;
  for (int i = 0; i < deleted_sessions.rows(); ++i) {
    ids.emplace_back(deleted_sessions.get(i, "id"));
  }
  bj::object payload;
  payload["session_ids"] = std::move(ids);
  // Lost when the bus is down: the gateways re-check every session once it is back.
  if (!co_await bus_->publish(std::string(channels::sessions_revoked), bj::serialize(payload))) {
    spdlog::warn("sign-out of {} sessions not published: the bus is unreachable", deleted_sessions.rows());
  }
}

awaitable<std::vector<std::string>> AuthService::live_sessions(std::vector<std::string> session_ids) {
  std::vector<std::string> live;
  if (session_ids.empty()) {
    co_return live;
  }
  // A PostgreSQL array literal of UUIDs (ids come from our own table: no quoting needed).
  std::string array = "{";
  for (const auto& id : session_ids) {
    array += (array.size() > 1 ? "," : "") + id;
  }
  array += "}";
  auto r = co_await pool_->query(sql::live_sessions, array);
  live.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    live.emplace_back(r.get(i, "id"));
  }
  co_return live;
}

}  // namespace collabdev::auth
