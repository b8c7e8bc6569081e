#pragma once
// The event bus: pub/sub across server instances plus the presence sets of the seed schema.
// RedisBus talks to Redis (RESP over an Asio socket, hiredis as reader/formatter only);
// LocalBus serves a single instance in-process when no REDIS_URL is configured.
// Pub/sub is at-most-once: after a reconnect subscribers are told to resync.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"

namespace collabdev::bus {

// A received message; the payload is shared so fan-out never copies it.
struct Message {
  std::string channel;
  std::shared_ptr<const std::string> payload;
};

using MessageHandler = std::function<void(const Message&)>;

// Handle for one subscription; destroying it (or calling reset) unsubscribes that handler.
// The bus subscribes to a channel upstream only while it has at least one local handler.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& o) noexcept : cancel_(std::move(o.cancel_)) { o.cancel_ = nullptr; }
  Subscription& operator=(Subscription&& o) noexcept {
    if (this != &o) {
      reset();
      cancel_ = std::move(o.cancel_);
      o.cancel_ = nullptr;
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset() {
    if (cancel_) {
      auto c = std::move(cancel_);
      cancel_ = nullptr;
      c();
    }
  }

 private:
  std::function<void()> cancel_;
};

class Bus {
 public:
  virtual ~Bus() = default;

  // Publishes to every subscriber of `channel` on every instance. Returns false when the bus is
  // unreachable (the caller logs; the write it follows is already committed).
  virtual awaitable<bool> publish(std::string channel, std::string payload) = 0;

  // Registers a handler; handlers run on the bus's executor and must not block.
  virtual Subscription subscribe(const std::string& channel, MessageHandler handler) = 0;

  // Completes once `channel` (subscribed above) receives what is published from now on, on every
  // instance: LocalBus at once, RedisBus when Redis confirmed the SUBSCRIBE. False after
  // `timeout` (Redis unreachable) or when the channel has no handler.
  virtual awaitable<bool> subscribed(std::string channel, std::chrono::milliseconds timeout) = 0;

  // Called after the subscriber connection came back and re-subscribed every channel: events
  // may have been missed in between, so listeners tell their clients to resync.
  virtual void on_resubscribed(std::function<void()> callback) = 0;

  // Set operations for presence (`presence:project:<id>` ...). Return false when unreachable.
  virtual awaitable<bool> set_add(std::string key, std::vector<std::string> members) = 0;
  virtual awaitable<bool> set_remove(std::string key, std::vector<std::string> members) = 0;
  virtual awaitable<std::vector<std::string>> set_members(std::string key) = 0;
  // Membership test of one member (SISMEMBER): no need to read the whole set.
  virtual awaitable<bool> set_contains(std::string key, std::string member) = 0;
  // Key with a time to live (heartbeats); and plain delete.
  virtual awaitable<bool> set_with_ttl(std::string key, std::string value, std::chrono::seconds ttl) = 0;
  virtual awaitable<bool> exists(std::string key) = 0;
  virtual awaitable<bool> remove(std::string key) = 0;

  // True when the backing store answers (LocalBus: always).
  virtual awaitable<bool> ping() = 0;
  virtual bool configured_remote() const = 0;
  virtual void stop() = 0;
};

// `url` is redis://[:password@]host:port[/db] or unix:///path/to/socket.
std::shared_ptr<Bus> make_redis_bus(executor ex, const std::string& url);
std::shared_ptr<Bus> make_local_bus(executor ex);

}  // namespace collabdev::bus
