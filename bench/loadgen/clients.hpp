#pragma once
// Many WebSocket clients in one process: each connects, authenticates, subscribes to one room,
// then counts the publications it receives and the latency of each (the publisher's steady-clock
// timestamp travels inside the message, and both ends are this process).
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "stats.hpp"

namespace loadgen {

enum class Protocol { collabdev, centrifugo };

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string path;
};

// Parses ws://host:port/path or http://host:port/path.
Endpoint parse_endpoint(const std::string& url);

struct ClientOptions {
  Protocol protocol = Protocol::collabdev;
  std::vector<Endpoint> endpoints;  // client i connects to endpoints[i % n]
  std::string token;                // session token (CollabDev+) or connection JWT (Centrifugo)
  std::vector<std::string> rooms;   // CollabDev+ room ("project:<id>") or Centrifugo channel
  std::size_t per_room = 1;         // clients i*per_room .. are in rooms[i]
  std::size_t max_handshakes = 200; // connection attempts in flight at once
  bool reconnect = true;            // reopen a connection the server closed (slow consumer)
};

class ClientPool {
 public:
  ClientPool(boost::asio::io_context& io, ClientOptions options, Counters& counters, Latencies& latencies);
  // Starts every client; they connect in the background (see Counters::connected).
  void start();
  std::size_t size() const { return options_.rooms.size() * options_.per_room; }
  struct State;

 private:
  boost::asio::io_context& io_;
  ClientOptions options_;
  Counters& counters_;
  Latencies& latencies_;
  std::shared_ptr<State> state_;
};

// Scans one received frame for publications ("bench:<20-digit ns>") and records each.
std::size_t count_publications(std::string_view frame, Latencies& latencies);

}  // namespace loadgen
