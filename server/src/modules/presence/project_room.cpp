#include "modules/presence/project_room.hpp"

#include <boost/json.hpp>

#include "bus/channels.hpp"
#include "modules/presence/room_inputs.hpp"

namespace collabdev::presence {

namespace bj = boost::json;

namespace {

constexpr db::Statement user_profile_query{"presence_user_profile",
                                           "SELECT name, avatar_url FROM users WHERE id = $1"};

constexpr auto typing_interval = std::chrono::seconds(3);

// The project room's own membership channel.
std::optional<realtime::Revocation> membership_revocation(std::string_view id, const bus::Message& m) {
  if (m.channel != channels::project_members(id)) {
    return std::nullopt;
  }
  return revocation_of_membership_event(m);
}

bj::value typing_data(const std::string& user) { return bj::object{{"user_id", user}}; }

}  // namespace

// `member.removed` and `project.deleted` as the projects module publishes them: {type, data: {user_id}}.
std::optional<realtime::Revocation> revocation_of_membership_event(const bus::Message& m) {
  boost::system::error_code ec;
  auto v = bj::parse(*m.payload, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  const auto& o = v.as_object();
  const auto* type = o.if_contains("type");
  const auto* data = o.if_contains("data");
  if (type == nullptr || !type->is_string() || data == nullptr || !data->is_object()) {
    return std::nullopt;
  }
  const auto* user = data->as_object().if_contains("user_id");
  const bool removed = type->get_string() == "member.removed";
  const bool deleted = type->get_string() == "project.deleted";
  if (user == nullptr || !user->is_string() || (!removed && !deleted)) {
    return std::nullopt;
  }
  realtime::Revocation r;
  r.user_ids.emplace_back(user->get_string());
  r.reason = deleted ? "project deleted" : "removed from project";
  return r;
}

realtime::RoomKind project_room(std::shared_ptr<bus::Bus> bus, projects::ProjectsService& projects) {
  realtime::RoomKind kind;
  kind.name = "project";
  kind.authorize = [&projects](std::string id, std::string user) -> awaitable<bool> {
    try {
      co_await projects.require_member(id, user);
    } catch (const ProblemError&) {
      co_return false;
    } catch (const std::runtime_error&) {
      rethrow_unavailable();  // a busy or unreachable database; anything else as it is
    }
    co_return true;
  };
  kind.channels = [](std::string_view id) {
    std::vector<std::string> c;
    c.push_back(channels::project_tasks(id));
    c.push_back(channels::project_chat(id));
    c.push_back(channels::project_files(id));
    c.push_back(channels::project_links(id));
    c.push_back(channels::project_calls(id));
    c.push_back(channels::project_members(id));
    c.push_back(channels::presence_events(channels::project_room(id)));
    return c;
  };
  kind.revocations = membership_revocation;
  // Typing goes to the others through the chat channel; never stored.
  kind.messages["typing"] = realtime::RoomMessageHandler{
      [bus](realtime::RoomMessage m) -> awaitable<void> {
        bj::object o;
        o["type"] = "typing";
        o["room"] = m.room;
        o["data"] = typing_data(m.user_id);
        co_await bus->publish(channels::project_chat(m.room_id), bj::serialize(o));
      },
      typing_interval,
      {}};
  return kind;
}

awaitable<bj::object> user_profile(db::Pool& pool, std::string user_id) {
  auto r = co_await pool.query(user_profile_query, user_id);
  bj::object profile;
  if (!r.empty()) {
    profile["name"] = r.get(0, "name");
    auto avatar = r.get_optional(0, "avatar_url");
    profile["avatar_url"] = avatar ? bj::value(*avatar) : bj::value(nullptr);
  }
  co_return profile;
}

}  // namespace collabdev::presence
