#pragma once
// The realtime gateway: one WebSocket per client, rooms, fan-out through the bus (each event is
// serialised once per instance and shared by every recipient), presence, and typing indicators.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bus/bus.hpp"
#include "core/asio.hpp"
#include "http/server.hpp"

namespace collabdev::realtime {

struct GatewayOptions {
  std::size_t max_frame = 64 * 1024;
  std::size_t send_queue_messages = 256;
  std::size_t send_queue_bytes = 1024 * 1024;
  double messages_per_second = 50;
  double message_burst = 100;
  std::chrono::seconds idle_timeout{60};
  std::vector<std::string> allowed_origins;
  std::chrono::seconds presence_heartbeat{5};
  std::chrono::seconds presence_ttl{15};
};

// Resolves a session token to a user id (empty: invalid).
using Authenticator = std::function<awaitable<std::optional<std::string>>(std::string token)>;
// Whether `user_id` may join `room`; answers the project the room belongs to, or nullopt.
using RoomAuthorizer =
    std::function<awaitable<std::optional<std::string>>(std::string room, std::string user_id)>;

class Gateway {
 public:
  Gateway(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, Authenticator authenticate,
          RoomAuthorizer authorize, GatewayOptions options);
  ~Gateway();

  // Takes over an upgraded HTTP connection (installed as the server's upgrade handler).
  void accept(boost::beast::tcp_stream stream, http::BeastRequest req, http::Request info);
  // Starts the presence heartbeat and the reaper of instances that died without saying goodbye.
  void start();
  // Closes every socket with 1001 (going away) and leaves presence.
  void shutdown();
  std::size_t connections() const;
  // Users present in a room across all instances (the seed's presence:<room> set).
  awaitable<std::vector<std::string>> present(std::string room);
  const std::string& instance_id() const;

  struct Impl;  // shared with the per-connection sessions in gateway.cpp

 private:
  std::shared_ptr<Impl> impl_;
};

// Channels of a room, as in the seed: project rooms carry tasks, chat, members and presence.
std::vector<std::string> channels_for_room(std::string_view room);

}  // namespace collabdev::realtime
