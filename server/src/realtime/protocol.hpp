#pragma once
// The client protocol: envelopes, and one client message parsed and dispatched. Every message
// with an `id` gets exactly one answer (`ack`, `pong` or `error`) carrying that id, whatever
// happens while it is handled.
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/asio.hpp"
#include "realtime/client.hpp"

namespace collabdev::realtime {

struct Node;

Payload envelope(std::string_view type, const boost::json::value& id, std::string_view room, boost::json::value data);
Payload error_envelope(const boost::json::value& id, std::string_view code, std::string_view message);

// The `id` of a message refused before it is handled (rate limit), when it has a valid one.
boost::json::value request_id_of(std::string_view text);

// Handles one text frame of an open connection (on its strand).
awaitable<void> handle_message(Node& node, std::shared_ptr<Client> client, std::string text);

// Authenticates with the session cookie of a same-site upgrade. A cookie that does not
// authenticate is told (`error` `unauthenticated`, no id) and the socket closed with 4401.
awaitable<void> authenticate_cookie(Node& node, std::shared_ptr<Client> client, std::string token);

}  // namespace collabdev::realtime
