#include "modules/calls/call_room.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "bus/channels.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"
#include "modules/presence/project_room.hpp"
#include "modules/presence/room_inputs.hpp"

namespace collabdev::calls {

namespace bj = boost::json;
using realtime::RoomError;
using presence::data_object;
using presence::rethrow_unavailable;

namespace {

// Speaking flips often; the client sends its whole state at most this often, so none is lost.
constexpr auto state_interval = std::chrono::milliseconds(200);
constexpr std::size_t max_sdp = 32 * 1024;
constexpr std::size_t max_candidate = 2048;
constexpr std::size_t max_session = 64;

void only(const bj::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(k)) == allowed.end()) {
      throw RoomError("bad_request", "unknown field " + std::string(k.substr(0, 64)));
    }
  }
}

std::optional<std::string_view> string_field(const bj::object& o, std::string_view name, std::size_t max,
                                             bool required, bool nullable = false) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || (nullable && v->is_null())) {
    if (required) {
      throw RoomError("bad_request", std::string(name) + " is required");
    }
    return std::nullopt;
  }
  if (!v->is_string() || v->get_string().size() > max) {
    throw RoomError("bad_request", std::string(name) + " must be a string of at most " + std::to_string(max) + " bytes");
  }
  return std::string_view(v->get_string());
}

// An RTCIceCandidateInit with only its own fields; an empty `candidate` ends the candidates.
bj::object candidate_of(const bj::object& data) {
  const auto* c = data.if_contains("candidate");
  if (c == nullptr || !c->is_object()) {
    throw RoomError("bad_request", "candidate must be {candidate, sdpMid, sdpMLineIndex, usernameFragment}");
  }
  const auto& o = c->as_object();
  only(o, {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"});
  bj::object out;
  out["candidate"] = *string_field(o, "candidate", max_candidate, true);
  auto mid = string_field(o, "sdpMid", 64, false, true);
  out["sdpMid"] = mid ? bj::value(*mid) : bj::value(nullptr);
  const auto* index = o.if_contains("sdpMLineIndex");
  if (index == nullptr || index->is_null()) {
    out["sdpMLineIndex"] = nullptr;
  } else if (index->is_int64() && index->get_int64() >= 0 && index->get_int64() <= 1024) {
    out["sdpMLineIndex"] = index->get_int64();
  } else {
    throw RoomError("bad_request", "candidate.sdpMLineIndex must be an integer from 0 to 1024 or null");
  }
  auto ufrag = string_field(o, "usernameFragment", 256, false, true);
  out["usernameFragment"] = ufrag ? bj::value(*ufrag) : bj::value(nullptr);
  if (!mid && out["sdpMLineIndex"].is_null() && !out["candidate"].as_string().empty()) {
    throw RoomError("bad_request", "candidate needs sdpMid or sdpMLineIndex");
  }
  return out;
}

std::optional<bj::object> parse_object(const bus::Message& m) {
  boost::system::error_code ec;
  auto v = bj::parse(*m.payload, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.as_object());
}

// call.left takes out who left; call.ended everyone who was in it.
std::optional<realtime::Revocation> call_revocation(const bj::object& ev) {
  const auto* type = ev.if_contains("type");
  const auto* data = ev.if_contains("data");
  if (type == nullptr || !type->is_string() || data == nullptr || !data->is_object()) {
    return std::nullopt;
  }
  realtime::Revocation r;
  if (type->get_string() == "call.left") {
    const auto* user = data->as_object().if_contains("user_id");
    if (user == nullptr || !user->is_string()) {
      return std::nullopt;
    }
    r.user_ids.emplace_back(user->get_string());
    r.reason = "left the call";
    return r;
  }
  if (type->get_string() == "call.ended") {
    const auto* call = data->as_object().if_contains("call");
    const auto* participants = call != nullptr && call->is_object() ? call->as_object().if_contains("participants")
                                                                     : nullptr;
    if (participants == nullptr || !participants->is_array()) {
      return std::nullopt;
    }
    for (const auto& p : participants->as_array()) {
      if (const auto* u = p.is_object() ? p.as_object().if_contains("user_id") : nullptr; u && u->is_string()) {
        r.user_ids.emplace_back(u->get_string());
      }
    }
    r.reason = "call ended";
    return r;
  }
  return std::nullopt;
}

}  // namespace

realtime::RoomKind call_room(std::shared_ptr<bus::Bus> bus, CallsService& calls) {
  realtime::RoomKind kind;
  kind.name = "call";
  kind.authorize = [&calls](std::string id, std::string user) -> awaitable<bool> {
    try {
      co_return (co_await calls.participant(id, user)).has_value();
    } catch (...) {
      rethrow_unavailable();
    }
  };
  // The call's project is looked up on subscribe (a call never changes project), so that a
  // member removed from the project leaves the call room at once.
  kind.lookup_channels = [&calls](std::string id) -> awaitable<std::vector<std::string>> {
    std::optional<std::string> project;
    try {
      project = co_await calls.project_of(id);
    } catch (...) {
      rethrow_unavailable();
    }
    std::vector<std::string> c{channels::call_signal(id), channels::presence_events(channels::call_room(id))};
    if (project) {
      c.push_back(channels::project_members(*project));
    }
    co_return c;
  };
  kind.channels = [](std::string_view id) {
    return std::vector<std::string>{channels::call_signal(id), channels::presence_events(channels::call_room(id))};
  };
  kind.revocations = [](std::string_view id, const bus::Message& m) -> std::optional<realtime::Revocation> {
    if (m.channel == channels::call_signal(id)) {
      // Signals are the hot messages here: only lifecycle events carry "call." and no "to".
      if (m.payload->find("\"call.left\"") == std::string::npos && m.payload->find("\"call.ended\"") == std::string::npos) {
        return std::nullopt;
      }
      auto ev = parse_object(m);
      return ev ? call_revocation(*ev) : std::nullopt;
    }
    if (m.channel.starts_with("ws:project:") && m.channel.ends_with(":members")) {
      return presence::revocation_of_membership_event(m);
    }
    return std::nullopt;
  };
  kind.recipient = [](std::string_view id, const bus::Message& m) -> std::optional<std::string> {
    if (m.channel != channels::call_signal(id) || m.payload->find("\"to\"") == std::string::npos) {
      return std::nullopt;
    }
    auto ev = parse_object(m);
    if (!ev) {
      return std::nullopt;
    }
    const auto* to = ev->if_contains("to");
    if (to == nullptr || !to->is_string()) {
      return std::nullopt;
    }
    return std::string(to->get_string());
  };

  // {to, kind: offer|answer|candidate, sdp | candidate, session?} -> call.signal to `to` alone.
  kind.messages["call.signal"].handle = [bus](realtime::RoomMessage m) -> awaitable<void> {
    const auto& data = data_object(m.data);
    only(data, {"to", "kind", "sdp", "candidate", "session"});
    auto to_text = string_field(data, "to", 64, true);
    auto to = ids::canonical(*to_text);
    if (!to) {
      throw RoomError("bad_request", "to must be the user id of a participant");
    }
    if (*to == m.user_id) {
      throw RoomError("bad_request", "to must be another participant");
    }
    auto signal_kind = string_field(data, "kind", 16, true);
    bj::object d;
    d["from"] = m.user_id;
    d["kind"] = *signal_kind;
    if (*signal_kind == "offer" || *signal_kind == "answer") {
      if (data.contains("candidate")) {
        throw RoomError("bad_request", "an offer or answer carries sdp, not candidate");
      }
      auto sdp = string_field(data, "sdp", max_sdp, true);
      if (sdp->empty()) {
        throw RoomError("bad_request", "sdp must not be empty");
      }
      d["sdp"] = *sdp;
    } else if (*signal_kind == "candidate") {
      if (data.contains("sdp")) {
        throw RoomError("bad_request", "a candidate carries candidate, not sdp");
      }
      d["candidate"] = candidate_of(data);
    } else {
      throw RoomError("bad_request", "kind must be offer, answer or candidate");
    }
    if (auto session = string_field(data, "session", max_session, false)) {
      if (session->empty()) {
        throw RoomError("bad_request", "session must be 1 to 64 characters");
      }
      d["session"] = *session;
    }
    // Only to someone connected to this call's room: a participant of the call now.
    if (!co_await bus->set_contains(channels::presence_set(m.room), *to)) {
      throw RoomError("not_found", "that user is not in the call");
    }
    bj::object o;
    o["type"] = "call.signal";
    o["room"] = m.room;
    o["to"] = *to;
    o["data"] = std::move(d);
    co_await bus->publish(channels::call_signal(m.room_id), bj::serialize(o));
  };

  // {muted?, camera?, screen?, speaking?} -> call.state {user_id, ...} to everyone in the call.
  realtime::RoomMessageHandler state;
  state.throttle = state_interval;
  state.handle = [bus](realtime::RoomMessage m) -> awaitable<void> {
    const auto& data = data_object(m.data);
    only(data, {"muted", "camera", "screen", "speaking"});
    bj::object d;
    d["user_id"] = m.user_id;
    for (const auto* name : {"muted", "camera", "screen", "speaking"}) {
      if (const auto* v = data.if_contains(name)) {
        if (!v->is_bool()) {
          throw RoomError("bad_request", std::string(name) + " must be true or false");
        }
        d[name] = v->get_bool();
      }
    }
    if (d.size() == 1) {
      throw RoomError("bad_request", "give at least one of muted, camera, screen, speaking");
    }
    bj::object o;
    o["type"] = "call.state";
    o["room"] = m.room;
    o["data"] = std::move(d);
    co_await bus->publish(channels::call_signal(m.room_id), bj::serialize(o));
  };
  kind.messages["call.state"] = std::move(state);
  return kind;
}

}  // namespace collabdev::calls
