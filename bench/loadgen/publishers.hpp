#pragma once
// Open-loop publishers: a ticker releases publishes at the target rate whatever the answers do,
// and workers send them, each stamped with the steady clock at the moment it is sent.
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "clients.hpp"
#include "stats.hpp"

namespace loadgen {

enum class PublishKind {
  collabdev_http,   // POST /api/v1/projects/{id}/messages {content}: stored, then published
  centrifugo_http,  // POST /api/publish {channel, data}
  redis,            // PUBLISH ws:project:<id>:chat <envelope>: the bus alone, no HTTP, no database
};

struct PublishOptions {
  PublishKind kind = PublishKind::collabdev_http;
  Endpoint endpoint;               // HTTP server, or Redis
  std::string auth;                // "Bearer <token>" or the Centrifugo API key
  std::vector<std::string> rooms;  // publish i goes to rooms[i % n]
  std::size_t connections = 16;    // HTTP keep-alive connections
  std::size_t message_bytes = 100; // size of the content
};

// The content of one message: "bench:<20-digit steady ns>:" padded with 'x' to `bytes`.
std::string make_content(std::int64_t ns, std::size_t bytes);

class Publisher {
 public:
  Publisher(boost::asio::io_context& io, PublishOptions options, Counters& counters);
  ~Publisher();
  void start();
  // Publishes per second from now on (0 stops); safe to call from any thread.
  void set_rate(double per_second);
  // Publishes that were due but not yet sent (the publisher's own backlog).
  std::uint64_t backlog() const;
  std::uint64_t dropped() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace loadgen
