#pragma once
// Opening one Redis connection (TCP or unix socket) with AUTH and SELECT, under a deadline.
// Shared by the command client and the subscriber.
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bus/redis_url.hpp"
#include "bus/resp.hpp"
#include "core/asio.hpp"

namespace collabdev::bus {

// One socket type for TCP and unix sockets.
using RedisSocket = asio::generic::stream_protocol::socket;

struct RedisOptions {
  std::chrono::milliseconds connect_timeout{2000};  // TCP connect + AUTH + SELECT
  std::chrono::milliseconds command_timeout{5000};  // a reply this late drops the connection
  std::chrono::milliseconds min_backoff{100};       // first wait after a failed connect
  std::chrono::milliseconds max_backoff{1000};      // the wait doubles up to this
  std::chrono::milliseconds subscriber_ping{10000}; // keeps a silent subscriber honest
};

struct RedisConnection {
  RedisSocket socket;
  RespReader reader;
};

struct ConnectResult {
  std::optional<RedisConnection> connection;
  std::string error;  // set when connection is empty; never contains the password
};

// One connection attempt. run() and cancel() must be called on `strand`, the executor the
// resulting socket is bound to.
class RedisConnector : public std::enable_shared_from_this<RedisConnector> {
 public:
  RedisConnector(executor strand, RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  awaitable<ConnectResult> run();
  void cancel();

 private:
  awaitable<ConnectResult> attempt();
  awaitable<boost::system::error_code> connect_to(const asio::generic::stream_protocol::endpoint& ep);
  awaitable<std::string> handshake(RespReader& reader);
  void abort();

  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  asio::ip::tcp::resolver resolver_;
  RedisSocket socket_;
  asio::steady_timer timer_;
  bool done_ = false;
  bool timed_out_ = false;
  bool cancelled_ = false;
};

}  // namespace collabdev::bus
