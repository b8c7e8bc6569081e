#include "realtime/protocol.hpp"

#include <functional>
#include <optional>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "realtime/node.hpp"

namespace collabdev::realtime {

namespace bj = boost::json;

Payload envelope(std::string_view type, const bj::value& id, std::string_view room, bj::value data) {
  bj::object o;
  o["type"] = type;
  if (!id.is_null()) {
    o["id"] = id;
  }
  if (!room.empty()) {
    o["room"] = room;
  }
  if (!data.is_null()) {
    o["data"] = std::move(data);
  }
  return std::make_shared<const std::string>(bj::serialize(o));
}

Payload error_envelope(const bj::value& id, std::string_view code, std::string_view message) {
  return envelope("error", id, {}, bj::object{{"code", code}, {"message", message}});
}

namespace {

bool valid_id(const bj::value& id) { return (id.is_string() && id.get_string().size() <= 64) || id.is_int64(); }

// The one answer a request gets, sent by handle_message and nowhere else.
struct Answer {
  std::string type = "ack";  // ack, pong or error
  std::string room;
  bj::value data;
  bool only_with_id = false;  // room messages without an id are not acknowledged
  std::vector<Payload> then;  // sent right after the answer (e.g. `ready`)
  std::optional<std::uint16_t> close;  // close the socket after the answer
  std::function<awaitable<void>()> after;  // run after the answer is queued
};

Answer error(std::string_view code, std::string_view message) {
  Answer a;
  a.type = "error";
  a.data = bj::object{{"code", code}, {"message", message}};
  return a;
}

Answer ack(std::string room = {}, bj::value data = nullptr) {
  Answer a;
  a.room = std::move(room);
  a.data = std::move(data);
  return a;
}

bj::value user_data(const std::string& user) { return bj::object{{"user_id", user}}; }

Answer unauthenticated(std::string_view message) {
  auto a = error("unauthenticated", message);
  a.close = close_code::unauthenticated;
  return a;
}

awaitable<Answer> on_auth(Node& node, std::shared_ptr<Client> client, const bj::object& msg) {
  if (!client->user_id.empty()) {
    co_return ack({}, user_data(client->user_id));
  }
  std::string token;
  if (const auto* d = msg.if_contains("data"); d != nullptr && d->is_object()) {
    if (const auto* t = d->as_object().if_contains("token"); t != nullptr && t->is_string()) {
      token = std::string(t->get_string());
    }
  }
  std::optional<Identity> who;
  if (!token.empty() && token.size() <= 128) {
    who = co_await node.services.authenticate(token);
  }
  if (!who) {
    co_return unauthenticated("the token is invalid, expired or signed out");
  }
  client->session_id = who->session_id;
  if (!node.authenticated(client)) {
    co_return unauthenticated("the token is invalid, expired or signed out");
  }
  client->user_id = who->user_id;
  auto a = ack({}, user_data(client->user_id));
  a.then.push_back(envelope("ready", nullptr, {}, user_data(client->user_id)));
  co_return a;
}

awaitable<void> announce_join(Node& node, std::shared_ptr<Client> client, std::string room) {
  if (!client->profile && node.services.profile) {
    try {
      auto found = co_await node.services.profile(client->user_id);
      client->profile = std::move(found);
    } catch (const std::exception& e) {
      spdlog::warn("gateway: profile of {} not found: {}", client->user_id, e.what());
    }
  }
  // Named, not a conditional temporary: g++ 12 destroys those twice across co_await.
  bj::object profile;
  if (client->profile) {
    profile = *client->profile;
  }
  co_await node.presence->joined(std::move(room), client->user_id, std::move(profile));
}

// Join pending, wait for the bus, authorise, activate: a removal published at any point after
// the join is seen, whether authorisation read the membership before or after it.
awaitable<Answer> on_subscribe(Node& node, std::shared_ptr<Client> client, const std::string& room) {
  auto name = node.rooms->resolve(room);
  if (!name) {
    co_return error("not_found", "no such room");
  }
  if (client->rooms.contains(name->room)) {
    co_return ack(name->room);
  }
  std::optional<std::vector<std::string>> looked_up;
  if (name->kind->lookup_channels) {
    looked_up = co_await name->kind->lookup_channels(name->id);
    if (client->rooms.contains(name->room)) {  // subscribed meanwhile by another message
      co_return ack(name->room);
    }
  }
  client->rooms.insert(name->room);
  auto channels = node.rooms->join_pending(*name, client, std::move(looked_up));
  bool allowed = false;
  try {
    for (const auto& channel : channels) {
      if (!co_await node.bus->subscribed(channel, node.options.subscribe_timeout)) {
        throw Unavailable("the event bus did not confirm the subscription");
      }
    }
    allowed = co_await name->kind->authorize(name->id, client->user_id);
  } catch (...) {
    node.rooms->leave(name->room, client);
    client->rooms.erase(name->room);
    throw;
  }
  if (!allowed) {
    node.rooms->leave(name->room, client);
    client->rooms.erase(name->room);
    co_return error("not_found", "no such room");
  }
  const auto activated = node.rooms->activate(*name, client);
  if (!activated.ok) {
    client->rooms.erase(name->room);
    co_return error("not_found", "no such room");
  }
  auto a = ack(name->room);
  if (activated.first_of_user) {
    a.after = [&node, client, room = name->room] { return announce_join(node, client, room); };
  }
  co_return a;
}

Answer on_unsubscribe(Node& node, const std::shared_ptr<Client>& client, const std::string& room) {
  auto name = node.rooms->resolve(room);
  if (!name) {
    return ack(room);
  }
  if (client->rooms.erase(name->room) > 0) {
    node.rooms->leave(name->room, client);
  }
  return ack(name->room);
}

bool any_kind_handles(Node& node, std::string_view type) {
  for (const auto* kind : node.rooms->kinds()) {
    if (kind->messages.contains(std::string(type))) {
      return true;
    }
  }
  return false;
}

awaitable<Answer> on_room_message(Node& node, std::shared_ptr<Client> client, std::string type, std::string room,
                                  bj::value data) {
  auto name = node.rooms->resolve(room);
  const RoomMessageHandler* handler = nullptr;
  if (name) {
    if (auto it = name->kind->messages.find(type); it != name->kind->messages.end()) {
      handler = &it->second;
    }
  }
  if (handler == nullptr || !client->rooms.contains(name->room)) {
    co_return error("not_found", "subscribe to the room first");
  }
  auto a = ack(name->room);
  a.only_with_id = true;
  if (handler->throttle.count() > 0 &&
      node.rooms->throttled(type + " " + name->room + " " + client->user_id, handler->throttle)) {
    co_return a;  // dropped, yet acknowledged: the client did nothing wrong
  }
  RoomMessage m{name->room, name->id, client->user_id, std::move(data)};
  try {
    if (handler->answer) {
      a.data = co_await handler->answer(std::move(m));
    } else {
      co_await handler->handle(std::move(m));
    }
  } catch (const RoomError& e) {
    co_return error(e.code, e.what());
  }
  co_return a;
}

awaitable<Answer> dispatch(Node& node, std::shared_ptr<Client> client, std::string type, const bj::object& msg) {
  if (type == "ping") {
    Answer a;
    a.type = "pong";
    co_return a;
  }
  if (type == "auth") {
    co_return co_await on_auth(node, client, msg);
  }
  if (client->user_id.empty()) {
    co_return unauthenticated("send auth with a session token first");
  }
  std::string room;
  if (const auto* r = msg.if_contains("room"); r != nullptr && r->is_string() && r->get_string().size() <= 128) {
    room = std::string(r->get_string());
  }
  if (type == "subscribe") {
    co_return co_await on_subscribe(node, client, room);
  }
  if (type == "unsubscribe") {
    co_return on_unsubscribe(node, client, room);
  }
  if (any_kind_handles(node, type)) {
    bj::value data;
    if (const auto* d = msg.if_contains("data")) {
      data = *d;
    }
    co_return co_await on_room_message(node, client, std::move(type), std::move(room), std::move(data));
  }
  co_return error("unknown_type", "unknown message type");
}

}  // namespace

bj::value request_id_of(std::string_view text) {
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 16;
  bj::value v = bj::parse(text, ec, {}, po);
  if (ec || !v.is_object()) {
    return nullptr;
  }
  const auto* id = v.as_object().if_contains("id");
  return id != nullptr && valid_id(*id) ? *id : bj::value(nullptr);
}

awaitable<void> handle_message(Node& node, std::shared_ptr<Client> client, std::string text) {
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 16;
  bj::value v = bj::parse(text, ec, {}, po);
  if (ec || !v.is_object()) {
    client->send(error_envelope(nullptr, "bad_json", "each message must be a JSON object"));
    co_return;
  }
  const auto& msg = v.as_object();
  bj::value id = nullptr;
  if (const auto* i = msg.if_contains("id")) {
    if (!valid_id(*i)) {
      client->send(error_envelope(nullptr, "bad_message", "id must be a string of at most 64 characters or an integer"));
      co_return;
    }
    id = *i;
  }
  const auto* type = msg.if_contains("type");
  if (type == nullptr || !type->is_string()) {
    client->send(error_envelope(id, "bad_message", "type must be a string"));
    co_return;
  }
  Answer answer;
  try {
    answer = co_await dispatch(node, client, std::string(type->get_string()), msg);
  } catch (const Unavailable& e) {
    answer = error("unavailable", e.what());
  } catch (const std::exception& e) {
    spdlog::warn("websocket {} failed: {}", std::string(type->get_string()), e.what());
    answer = error("internal", "the message could not be handled");
  }
  if (!answer.only_with_id || !id.is_null()) {
    client->send(envelope(answer.type, id, answer.room, std::move(answer.data)));
  }
  for (auto& p : answer.then) {
    client->send(std::move(p));
  }
  if (answer.close) {
    client->close(*answer.close, "unauthenticated");
  }
  if (answer.after) {
    try {
      co_await answer.after();
    } catch (const std::exception& e) {
      spdlog::warn("websocket {}: follow-up failed: {}", std::string(type->get_string()), e.what());
    }
  }
}

awaitable<void> authenticate_cookie(Node& node, std::shared_ptr<Client> client, std::string token) {
  std::optional<Identity> who;
  bool unavailable = false;
  try {
    who = co_await node.services.authenticate(std::move(token));
  } catch (const std::exception& e) {
    spdlog::warn("websocket cookie authentication failed: {}", e.what());
    unavailable = true;
  }
  if (unavailable) {
    // Not the client's fault: it should come back later, not sign in again.
    client->send(error_envelope(nullptr, "unavailable", "the session cannot be checked now; reconnect later"));
    client->close(1013, "try again later");
    co_return;
  }
  if (!who) {
    client->send(error_envelope(nullptr, "unauthenticated", "the session cookie is invalid, expired or signed out"));
    client->close(close_code::unauthenticated, "unauthenticated");
    co_return;
  }
  client->session_id = who->session_id;
  if (!node.authenticated(client)) {
    client->send(error_envelope(nullptr, "unauthenticated", "the session cookie is invalid, expired or signed out"));
    client->close(close_code::unauthenticated, "unauthenticated");
    co_return;
  }
  client->user_id = who->user_id;
  client->send(envelope("ready", nullptr, {}, user_data(client->user_id)));
}

}  // namespace collabdev::realtime
