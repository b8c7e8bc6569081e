#pragma once
// What a feature tells the gateway about its room kind (one per feature that has live rooms):
// who may subscribe, which bus channels feed the room, which bus messages take users out of it,
// and the client messages it accepts. The gateway knows no feature by name; `main` registers
// each kind.
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "bus/bus.hpp"
#include "core/asio.hpp"

namespace collabdev::realtime {

// Thrown by a room kind's callbacks when a dependency is down or busy (a pool timeout, an
// unreachable database): the client gets `error` `unavailable` and may retry.
struct Unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by a room message's handler to refuse it: the client gets `error` with this code (a
// stable word such as `reload` or `forbidden`) and message, and the request's id.
struct RoomError : std::runtime_error {
  RoomError(std::string code, const std::string& message) : std::runtime_error(message), code(std::move(code)) {}
  std::string code;
};

// Users a bus message takes out of a room (they get `room.revoked` with `reason`).
struct Revocation {
  std::vector<std::string> user_ids;
  std::string reason;
};

// A client message addressed to a room the client is in (an indicator, a push, a signal).
struct RoomMessage {
  std::string room;     // canonical `<kind>:<id>`
  std::string room_id;  // canonical id
  std::string user_id;
  boost::json::value data;  // the envelope's `data`, null when absent
};

struct RoomMessageHandler {
  // Done when the message is handled; the gateway then acknowledges it (when it has an id).
  std::function<awaitable<void>(RoomMessage)> handle;
  // At most one per user and room in this interval on this instance; extra ones are dropped
  // (and still acknowledged). Zero: no throttle.
  std::chrono::milliseconds throttle{0};
  // Instead of `handle`, for a message that answers: the value goes in the ack's `data`. Either
  // may throw RoomError to refuse the message.
  std::function<awaitable<boost::json::value>(RoomMessage)> answer;
};

struct RoomKind {
  std::string name;  // the `<kind>` of `<kind>:<id>`
  // Whether `user_id` may be in the room with this id. Throws Unavailable when it cannot tell.
  std::function<awaitable<bool>(std::string id, std::string user_id)> authorize;
  // The bus channels whose messages reach the room's clients.
  std::function<std::vector<std::string>(std::string_view id)> channels;
  // Instead of `channels`, when they depend on stored data (the project of a file): asked on
  // every subscribe, before the channels are subscribed. Throws Unavailable when it cannot tell.
  std::function<awaitable<std::vector<std::string>>(std::string id)> lookup_channels;
  // Called for every message of the room's channels before it is forwarded: the users it
  // takes out of the room, if any (a removal from the feature). Check the channel first, it is hot.
  std::function<std::optional<Revocation>(std::string_view id, const bus::Message& message)> revocations;
  // For messages meant for one user (a call's signalling): the user a message of the room's
  // channels is addressed to, who alone receives it; nullopt delivers it to every member. Absent:
  // everything goes to everyone. Check the channel first, it is hot.
  std::function<std::optional<std::string>(std::string_view id, const bus::Message& message)> recipient;
  // Client messages of this kind, by type.
  std::unordered_map<std::string, RoomMessageHandler> messages;
  // Whether the room keeps presence (the `presence:<room>` set and `presence.*` events).
  bool presence = true;
};

}  // namespace collabdev::realtime
