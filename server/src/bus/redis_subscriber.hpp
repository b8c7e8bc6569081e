#pragma once
// The one subscriber connection of a RedisBus: a registry of channels -> local handlers,
// SUBSCRIBE while a channel has a handler, and a loop that reconnects (backoff capped at
// max_backoff) and re-subscribes every registered channel until stop().
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <vector>

#include "bus/bus.hpp"
#include "bus/handler_registry.hpp"
#include "bus/redis_connect.hpp"
#include "core/asio.hpp"

namespace collabdev::bus {

class RedisSubscriber : public std::enable_shared_from_this<RedisSubscriber> {
 public:
  RedisSubscriber(executor ex, RedisEndpoint endpoint, RedisOptions options);

  // Starts the connection loop; call once, after construction into a shared_ptr.
  void start();
  void stop();

  Subscription subscribe(const std::string& channel, MessageHandler handler);
  // True once Redis confirmed the SUBSCRIBE of `channel` on the current connection.
  awaitable<bool> confirmed(std::string channel, std::chrono::milliseconds timeout);
  void on_resubscribed(std::function<void()> callback);

 private:
  struct Link;

  awaitable<void> run();
  awaitable<std::string> read_loop(std::shared_ptr<Link> link);
  awaitable<void> write_loop(std::shared_ptr<Link> link);
  awaitable<void> heartbeat(std::shared_ptr<Link> link);
  void spawn(awaitable<void> task, const char* what);
  void send(const std::shared_ptr<Link>& link, std::string bytes);
  void sync(const std::string& channel);
  void handle(const std::shared_ptr<Link>& link, Reply reply);
  void notify_resubscribed();
  // Confirmation state, shared with waiting coroutines on any thread.
  void set_confirmed(const std::string& channel, bool confirmed);
  void forget_confirmations();

  asio::strand<executor> strand_;
  RedisEndpoint endpoint_;
  RedisOptions options_;
  HandlerRegistry registry_;

  using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code, bool)>;
  std::mutex confirm_mutex_;
  std::unordered_set<std::string> confirmed_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Signal>>> confirm_waiters_;

  std::mutex callbacks_mutex_;
  std::vector<std::shared_ptr<std::function<void()>>> callbacks_;

  // Strand-only state.
  std::shared_ptr<Link> link_;
  std::shared_ptr<RedisConnector> connector_;
  asio::steady_timer backoff_timer_;
  std::unordered_set<std::string> upstream_;  // channels SUBSCRIBEd on the current link
  // SUBSCRIBEs sent and not yet answered: only the answer to the last one confirms a channel
  // (an earlier one may be followed by an UNSUBSCRIBE still in flight).
  std::unordered_map<std::string, std::size_t> unanswered_;
  std::size_t confirmations_left_ = 0;        // of the re-subscribe batch
  bool notify_pending_ = false;
  bool stopped_ = false;
};

}  // namespace collabdev::bus
