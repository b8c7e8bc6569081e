#pragma once
// A pipelined Redis command connection: commands are written in call order and replies are
// matched first-in first-out. Safe to call from any thread; all state lives on one strand.
#include <memory>
#include <string>
#include <vector>

#include "bus/redis_connect.hpp"
#include "bus/redis_url.hpp"
#include "bus/resp.hpp"
#include "core/asio.hpp"

namespace collabdev::bus {

class RedisClient {
 public:
  RedisClient(executor ex, RedisEndpoint endpoint, RedisOptions options = {});
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command (binary-safe arguments). Connects on demand; while Redis is down, and for
  // a short backoff after a failed connect, returns Reply::Type::unavailable without waiting.
  // Commands in flight when the connection breaks also complete as unavailable: never retried,
  // since Redis may have executed them.
  awaitable<Reply> command(std::vector<std::string> args);

  // Fails everything pending and refuses further commands. Idempotent, any thread.
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace collabdev::bus
