#include "modules/calls/calls.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "core/cursor.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/nullable.hpp"
#include "modules/calls/credentials.hpp"
#include "modules/calls/queries.hpp"

namespace collabdev::calls {

namespace bj = boost::json;
using projects::Action;
using projects::ProjectLock;

namespace {

constexpr std::int64_t default_page = 20;
constexpr std::int64_t max_page = 100;
// Full mesh: every participant sends its media to every other one, so upload grows with the
// call (docs/calls.md); past these, a configured SFU carries the call.
constexpr int mesh_video_limit = 4;
constexpr int mesh_audio_limit = 8;

bj::object call_json(const db::Result& r, int row) {
  bj::object o;
  o["id"] = r.get(row, "id");
  o["project_id"] = r.get(row, "project_id");
  o["started_by"] = r.get(row, "started_by");
  o["status"] = r.get(row, "status");
  o["started_at"] = r.get(row, "started_at");
  o["ended_at"] = nullable(r.get_optional(row, "ended_at"));
  o["duration_seconds"] = r.get_int(row, "duration_seconds");
  auto origin_type = r.get_optional(row, "origin_type");
  if (origin_type) {
    o["origin"] = bj::object{{"type", *origin_type}, {"id", r.get(row, "origin_id")}};
  } else {
    o["origin"] = nullptr;
  }
  auto participants = bj::parse(r.get(row, "participants"));
  if (!participants.is_array()) {
    participants = bj::array{};
  }
  o["participants"] = std::move(participants);
  o["cursor"] = encode_time_id_cursor(r.get(row, "started_at"), r.get(row, "id"));
  return o;
}

std::string call_id_of(const http::Request& req) { return ids::canonical_or_404(req.param("callId"), "No such call."); }

// The optional body of start: {origin_type, origin_id}, both or neither.
struct Origin {
  std::string type;
  std::string id;
};

std::optional<Origin> origin_of(const http::Request& req) {
  if (req.body.empty()) {
    return std::nullopt;
  }
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"origin_type", "origin_id"});
  auto type = f.one_of("origin_type", {"TASK", "FILE", "PAGE"}, false);
  auto id = f.uuid("origin_id", false);
  if (type.has_value() != id.has_value()) {
    f.error(type ? "origin_id" : "origin_type", "origin_type and origin_id go together");
  }
  f.check();
  if (!type) {
    return std::nullopt;
  }
  return Origin{*type, *ids::canonical(*id)};
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string iso_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string uuid_array(const std::vector<std::string>& ids) {
  std::string s = "{";
  for (const auto& id : ids) {
    s += s.size() > 1 ? "," : "";
    s += id;
  }
  return s + "}";
}

}  // namespace

CallsService::CallsService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus,
                           projects::ProjectsService& projects, Options options)
    : pool_(std::move(pool)), bus_(std::move(bus)), projects_(projects), options_(std::move(options)) {}

awaitable<bj::object> CallsService::load(db::Transaction& tx, const std::string& call_id,
                                         const std::string& project_id) {
  auto r = co_await tx.query(sql::get_call, call_id, project_id);
  if (r.empty()) {
    fail(problems::not_found("No such call."));
  }
  co_return call_json(r, 0);
}

awaitable<bj::object> CallsService::load(const std::string& call_id, const std::string& project_id) {
  auto r = co_await pool_->query(sql::get_call, call_id, project_id);
  if (r.empty()) {
    fail(problems::not_found("No such call."));
  }
  co_return call_json(r, 0);
}

awaitable<void> CallsService::publish(std::string_view type, const bj::object& call, const std::string& user_id) {
  const auto project = std::string(call.at("project_id").as_string());
  const auto id = std::string(call.at("id").as_string());
  bj::object data{{"call", call}, {"user_id", user_id}};
  bj::object ev{{"type", type}, {"room", channels::project_room(project)}, {"data", data}};
  if (!co_await bus_->publish(channels::project_calls(project), bj::serialize(ev))) {
    spdlog::warn("{} for call {} not published: bus unreachable", type, id);
  }
  if (type == "call.left" || type == "call.ended") {
    // The call room hears it too: whoever left (everyone, when it ended) is taken out of it.
    ev["room"] = channels::call_room(id);
    if (!co_await bus_->publish(channels::call_signal(id), bj::serialize(ev))) {
      spdlog::warn("{} for call room {} not published: bus unreachable", type, id);
    }
  }
}

awaitable<http::Response> CallsService::list(http::Request& req) {
  const auto scope = co_await projects_.scope(req);
  const auto limit = http::page_limit(req, default_page, max_page);
  std::optional<std::string> status = req.query_param("status");
  if (status && *status != "ACTIVE" && *status != "ENDED") {
    fail(problems::bad_request("status must be ACTIVE or ENDED", "status"));
  }
  std::optional<std::string> t;
  std::optional<std::string> id;
  if (auto before = req.query_param("before")) {
    auto cursor = decode_time_id_cursor(*before);
    if (!cursor) {
      fail(problems::bad_request("not a cursor this server gave out", "before"));
    }
    t = cursor->time;
    id = cursor->id;
  }
  db::Result r;
  try {
    r = co_await pool_->query(sql::list_calls, scope.project_id, status, t, id, limit + 1);
  } catch (const db::Error& e) {
    if (e.sqlstate().starts_with("22")) {
      fail(problems::bad_request("not a cursor this server gave out", "before"));
    }
    throw;
  }
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  bj::array items;
  for (int i = 0; i < n; ++i) {
    items.push_back(call_json(r, i));
  }
  bj::value next = nullptr;
  if (r.rows() > limit) {
    next = items.back().as_object().at("cursor");
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}, {"next_cursor", next}});
}

awaitable<http::Response> CallsService::get(http::Request& req) {
  const auto scope = co_await projects_.scope(req);
  const auto call_id = call_id_of(req);
  co_return http::Response::json(co_await load(call_id, scope.project_id));
}

awaitable<http::Response> CallsService::start(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::join_call);
  const auto& project = scope.project_id;
  const auto origin = origin_of(req);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::join_call, ProjectLock::content);
  if (origin) {
    const auto& check = origin->type == "TASK"   ? sql::origin_task
                        : origin->type == "FILE" ? sql::origin_file
                                                 : sql::origin_page;
    if ((co_await tx.query(check, origin->id, project)).empty()) {
      fail(problems::field("origin_id", "is not a " + origin->type + " of this project"));
    }
  }
  std::optional<std::string> origin_type;
  std::optional<std::string> origin_id;
  if (origin) {
    origin_type = origin->type;
    origin_id = origin->id;
  }
  auto inserted = co_await tx.query(sql::insert_call, project, scope.user_id, origin_type, origin_id);
  const bool started = !inserted.empty();
  std::string call_id;
  if (started) {
    call_id = std::string(inserted.get(0, "id"));
  } else {
    // The project's call is on: starting one joins it.
    auto active = co_await tx.query(sql::lock_active_call, project);
    if (active.empty()) {
      fail(problems::conflict("The project's call ended meanwhile; start again."));
    }
    call_id = std::string(active.get(0, "id"));
  }
  auto joined = co_await tx.query(sql::join_call, call_id, scope.user_id);
  const bool new_participant = joined.get_bool(0, "joined");
  auto call = co_await load(tx, call_id, project);
  co_await tx.commit();
  if (started) {
    co_await publish("call.started", call, scope.user_id);
  } else if (new_participant) {
    co_await publish("call.joined", call, scope.user_id);
  }
  co_return http::Response::json(call, started ? 201 : 200);
}

awaitable<http::Response> CallsService::join(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::join_call);
  const auto call_id = call_id_of(req);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::join_call, ProjectLock::content);
  auto row = co_await tx.query(sql::lock_call, call_id);
  if (row.empty() || row.get(0, "project_id") != scope.project_id) {
    fail(problems::not_found("No such call."));
  }
  if (row.get(0, "status") != "ACTIVE") {
    fail(problems::conflict("The call has ended."));
  }
  auto joined = co_await tx.query(sql::join_call, call_id, scope.user_id);
  const bool new_participant = joined.get_bool(0, "joined");
  auto call = co_await load(tx, call_id, scope.project_id);
  co_await tx.commit();
  if (new_participant) {
    co_await publish("call.joined", call, scope.user_id);
  }
  co_return http::Response::json(call);
}

awaitable<http::Response> CallsService::leave(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::join_call);
  const auto call_id = call_id_of(req);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::join_call, ProjectLock::content);
  auto row = co_await tx.query(sql::lock_call, call_id);
  if (row.empty() || row.get(0, "project_id") != scope.project_id) {
    fail(problems::not_found("No such call."));
  }
  bool left = false;
  bool ended = false;
  if (row.get(0, "status") == "ACTIVE") {
    // Leaving a call one is not in (any more) changes nothing: a page that closes may say it twice.
    auto r = co_await tx.query(sql::leave_call, call_id, scope.user_id);
    left = r.affected_rows() > 0;
    if (left) {
      auto remaining = co_await tx.query(sql::remaining_participants, call_id);
      if (remaining.get_int(0, "n") == 0) {
        co_await tx.query(sql::end_call, call_id);
        ended = true;
      }
    }
  }
  auto call = co_await load(tx, call_id, scope.project_id);
  co_await tx.commit();
  if (left) {
    co_await publish("call.left", call, scope.user_id);
  }
  if (ended) {
    co_await publish("call.ended", call, scope.user_id);
  }
  co_return http::Response::json(call);
}

awaitable<http::Response> CallsService::end(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::join_call);
  const auto call_id = call_id_of(req);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::join_call, ProjectLock::content);
  auto row = co_await tx.query(sql::lock_call, call_id);
  if (row.empty() || row.get(0, "project_id") != scope.project_id) {
    fail(problems::not_found("No such call."));
  }
  if (row.get(0, "started_by") != scope.user_id && !projects::allowed(scope.role, Action::end_others_call)) {
    fail(problems::forbidden("Only who started the call, a MAINTAINER or an OWNER may end it."));
  }
  if (row.get(0, "status") != "ACTIVE") {
    fail(problems::conflict("The call has ended already."));
  }
  co_await tx.query(sql::end_call, call_id);
  auto call = co_await load(tx, call_id, scope.project_id);
  co_await tx.commit();
  co_await publish("call.ended", call, scope.user_id);
  co_return http::Response::json(call);
}

awaitable<http::Response> CallsService::connection(http::Request& req) {
  const auto scope = co_await projects_.scope(req, Action::join_call);
  const auto call_id = call_id_of(req);
  auto me = co_await participant(call_id, scope.user_id);
  if (!me || me->project_id != scope.project_id) {
    auto exists = co_await project_of(call_id);
    if (!exists || *exists != scope.project_id) {
      fail(problems::not_found("No such call."));
    }
    fail(problems::forbidden("Join the call first."));
  }
  const auto now = unix_now();
  bj::array servers;
  if (!options_.stun_urls.empty()) {
    bj::array urls(options_.stun_urls.begin(), options_.stun_urls.end());
    servers.push_back(bj::object{{"urls", std::move(urls)}});
  }
  bj::value expires = nullptr;
  if (!options_.turn_urls.empty()) {
    auto c = turn_credential(options_.turn_secret, scope.user_id, now, options_.turn_ttl);
    bj::array urls(options_.turn_urls.begin(), options_.turn_urls.end());
    servers.push_back(bj::object{{"urls", std::move(urls)}, {"username", c.username}, {"credential", c.password}});
    expires = iso_time(c.expires_at);
  }
  bj::value sfu = nullptr;
  if (!options_.livekit_url.empty()) {
    LiveKitGrant g{options_.livekit_api_key, options_.livekit_api_secret, scope.user_id, me->name, call_id};
    sfu = bj::object{{"kind", "livekit"},
                     {"url", options_.livekit_url},
                     {"token", livekit_token(g, now, options_.turn_ttl)}};
    if (expires.is_null()) {
      expires = iso_time(now + options_.turn_ttl.count());
    }
  }
  bj::object o;
  o["ice_servers"] = std::move(servers);
  o["expires_at"] = expires;
  // Fetch again before then, so that a long call keeps valid credentials.
  o["refresh_in_seconds"] = expires.is_null() ? bj::value(nullptr) : bj::value(options_.turn_ttl.count() / 2);
  o["sfu"] = std::move(sfu);
  o["mesh_limits"] = bj::object{{"video", mesh_video_limit}, {"audio", mesh_audio_limit}};
  co_return http::Response::json(o);
}

awaitable<std::optional<CallsService::Participant>> CallsService::participant(const std::string& call_id,
                                                                              const std::string& user_id) {
  auto r = co_await pool_->query(sql::participant, call_id, user_id);
  if (r.empty()) {
    co_return std::nullopt;
  }
  co_return Participant{std::string(r.get(0, "project_id")), std::string(r.get(0, "name"))};
}

awaitable<std::optional<std::string>> CallsService::project_of(const std::string& call_id) {
  auto r = co_await pool_->query(sql::project_of_call, call_id);
  if (r.empty()) {
    co_return std::nullopt;
  }
  co_return std::string(r.get(0, "project_id"));
}

awaitable<void> CallsService::drop(const std::string& call_id, const std::string& user_id) {
  auto tx = co_await pool_->begin();
  auto row = co_await tx.query(sql::lock_call, call_id);
  if (row.empty() || row.get(0, "status") != "ACTIVE") {
    co_return;
  }
  const auto project = std::string(row.get(0, "project_id"));
  auto r = co_await tx.query(sql::leave_call, call_id, user_id);
  if (r.affected_rows() == 0) {
    co_return;
  }
  bool ended = false;
  auto remaining = co_await tx.query(sql::remaining_participants, call_id);
  if (remaining.get_int(0, "n") == 0) {
    co_await tx.query(sql::end_call, call_id);
    ended = true;
  }
  auto call = co_await load(tx, call_id, project);
  co_await tx.commit();
  spdlog::info("call {}: {} dropped (away from the call room longer than {}s){}", call_id, user_id,
               options_.call_ttl.count(), ended ? "; the call ended" : "");
  co_await publish("call.left", call, user_id);
  if (ended) {
    co_await publish("call.ended", call, user_id);
  }
}

awaitable<void> CallsService::sweep(const PresentIn& present) {
  // Without the bus nobody looks present: better to keep everyone until it is back.
  if (!co_await bus_->ping()) {
    co_return;
  }
  const auto ttl = static_cast<std::int64_t>(options_.call_ttl.count());
  auto r = co_await pool_->query(sql::active_participants, ttl);
  struct Call {
    std::vector<std::pair<std::string, bool>> users;  // user, stale
  };
  std::map<std::string, Call> calls;
  for (int i = 0; i < r.rows(); ++i) {
    calls[std::string(r.get(i, "call_id"))].users.emplace_back(std::string(r.get(i, "user_id")),
                                                              r.get_bool(i, "stale"));
  }
  for (const auto& [call_id, call] : calls) {
    auto users = co_await present(channels::call_room(call_id));
    const std::set<std::string> here(users.begin(), users.end());
    std::vector<std::string> seen;
    for (const auto& [user, stale] : call.users) {
      if (here.contains(user)) {
        seen.push_back(user);
      } else if (stale) {
        co_await drop(call_id, user);
      }
    }
    if (!seen.empty()) {
      co_await pool_->query(sql::touch_participants, call_id, uuid_array(seen), std::max<std::int64_t>(1, ttl / 3));
    }
  }
}

void CallsService::start_sweeper(executor ex, PresentIn present, std::chrono::milliseconds period) {
  asio::co_spawn(
      ex,
      [this, ex, present = std::move(present), period]() -> awaitable<void> {
        asio::steady_timer timer(ex);
        for (;;) {
          timer.expires_after(period);
          auto [ec] = co_await timer.async_wait(asio::as_tuple(use_awaitable));
          if (ec) {
            co_return;
          }
          try {
            co_await sweep(present);
          } catch (const std::exception& e) {
            spdlog::warn("call sweep failed: {}", e.what());
          }
        }
      },
      asio::detached);
}

void CallsService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (CallsService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.get("/api/v1/projects/{id}/calls", bind(&CallsService::list));
  router.post("/api/v1/projects/{id}/calls", bind(&CallsService::start));
  router.get("/api/v1/projects/{id}/calls/{callId}", bind(&CallsService::get));
  router.post("/api/v1/projects/{id}/calls/{callId}/join", bind(&CallsService::join));
  router.post("/api/v1/projects/{id}/calls/{callId}/leave", bind(&CallsService::leave));
  router.post("/api/v1/projects/{id}/calls/{callId}/end", bind(&CallsService::end));
  router.get("/api/v1/projects/{id}/calls/{callId}/connection", bind(&CallsService::connection));
}

}  // namespace collabdev::calls
