#pragma once
// The realtime gateway: one WebSocket per client, rooms of the kinds features register, fan-out
// through the bus (each event serialised once per instance and shared by every recipient),
// presence, and sign-out reaching open sockets.
//
// Its parts, one job each: connection.cpp (one socket: handshake, send queue, writer, limits,
// lifetime; the only user of Beast's websocket), protocol.cpp (parse, dispatch, one answer per
// request id), rooms.cpp (join, leave, fan-out, revoke), presence_tracker.cpp (who is where,
// across instances), gateway.cpp (wiring, admission, session revocation, bus reconnects).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "bus/bus.hpp"
#include "core/asio.hpp"
#include "http/server.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::realtime {

struct GatewayOptions {
  std::size_t max_frame = 64 * 1024;
  std::size_t send_queue_messages = 256;
  std::size_t send_queue_bytes = 1024 * 1024;
  double messages_per_second = 50;
  double message_burst = 100;
  // Refused messages a client may accumulate before it is closed with 4429; they drain at
  // `messages_per_second`, so a brief burst is forgiven.
  double rate_strikes = 100;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds auth_timeout{10};  // an unauthenticated socket is closed (4401) after this
  std::size_t max_connections = 50000;     // in total on this instance; beyond: HTTP 503
  std::size_t max_per_address = 200;       // per client address; beyond: HTTP 503
  std::chrono::milliseconds subscribe_timeout{5000};  // for the bus to confirm a room's channels
  std::vector<std::string> allowed_origins;
  std::chrono::seconds presence_heartbeat{5};
  std::chrono::seconds presence_ttl{15};
};

// Who a session token belongs to.
struct Identity {
  std::string user_id;
  std::string session_id;
};

struct GatewayServices {
  // A session token to its identity (nullopt: invalid, expired or signed out).
  std::function<awaitable<std::optional<Identity>>(std::string token)> authenticate;
  // Of these session ids, the ones still valid (re-checked after a bus reconnect, when
  // sign-outs may have been missed).
  std::function<awaitable<std::vector<std::string>>(std::vector<std::string> session_ids)> live_sessions;
  // What `presence.joined` shows of a user: {name, avatar_url}. Asked once per connection.
  std::function<awaitable<boost::json::object>(std::string user_id)> profile;
};

struct Node;

class Gateway {
 public:
  Gateway(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, GatewayServices services, GatewayOptions options);
  ~Gateway();

  // Registers a room kind; call before start().
  void register_room_kind(RoomKind kind);
  // Takes over an upgraded HTTP connection (installed as the server's upgrade handler).
  void accept(boost::beast::tcp_stream stream, http::BeastRequest req, http::Request info);
  // Listens for session revocations, starts the presence heartbeat and the reaper of instances
  // that died without saying goodbye.
  void start();
  // Closes every socket with 1001 (going away) and leaves presence.
  void shutdown();
  std::size_t connections() const;
  // Users present in a room across all instances (the seed's presence:<room> set).
  awaitable<std::vector<std::string>> present(std::string room);
  const std::string& instance_id() const;

 private:
  std::shared_ptr<Node> node_;
};

}  // namespace collabdev::realtime
