#include <spdlog/spdlog.h>

#include <algorithm>

#include "bus/bus.hpp"
#include "bus/redis_bus.hpp"
#include "bus/redis_client.hpp"
#include "bus/redis_subscriber.hpp"

namespace collabdev::bus {
namespace {

// Commands are built in a named vector before co_await: GCC 12 rejects a braced list that lives
// across a suspension point ("array used as initializer").
using Command = std::vector<std::string>;

// Commands go through one pipelined connection, pub/sub through a dedicated one: a connection
// in subscribed mode cannot run other commands.
class RedisBus final : public Bus {
 public:
  RedisBus(executor ex, RedisEndpoint endpoint, RedisOptions options)
      : client_(ex, endpoint, options), subscriber_(std::make_shared<RedisSubscriber>(ex, endpoint, options)) {
    subscriber_->start();
  }
  ~RedisBus() override { stop(); }

  awaitable<bool> publish(std::string channel, std::string payload) override {
    Command cmd{"PUBLISH", std::move(channel), std::move(payload)};
    auto reply = co_await client_.command(std::move(cmd));
    co_return ok(reply, "PUBLISH") && reply.type == Reply::Type::integer;
  }

  Subscription subscribe(const std::string& channel, MessageHandler handler) override {
    return subscriber_->subscribe(channel, std::move(handler));
  }

  awaitable<bool> subscribed(std::string channel, std::chrono::milliseconds timeout) override {
    co_return co_await subscriber_->confirmed(std::move(channel), timeout);
  }

  void on_resubscribed(std::function<void()> callback) override {
    subscriber_->on_resubscribed(std::move(callback));
  }

  awaitable<bool> set_add(std::string key, std::vector<std::string> members) override {
    co_return co_await set_change("SADD", std::move(key), std::move(members));
  }

  awaitable<bool> set_remove(std::string key, std::vector<std::string> members) override {
    co_return co_await set_change("SREM", std::move(key), std::move(members));
  }

  awaitable<std::vector<std::string>> set_members(std::string key) override {
    Command cmd{"SMEMBERS", std::move(key)};
    auto reply = co_await client_.command(std::move(cmd));
    std::vector<std::string> members;
    if (ok(reply, "SMEMBERS") && reply.type == Reply::Type::array) {
      members.reserve(reply.elements.size());
      for (auto& e : reply.elements) {
        members.push_back(std::move(e.str));
      }
    }
    co_return members;
  }

  awaitable<bool> set_contains(std::string key, std::string member) override {
    Command cmd{"SISMEMBER", std::move(key), std::move(member)};
    auto reply = co_await client_.command(std::move(cmd));
    co_return ok(reply, "SISMEMBER") && reply.type == Reply::Type::integer && reply.integer == 1;
  }

  awaitable<bool> set_with_ttl(std::string key, std::string value, std::chrono::seconds ttl) override {
    // Redis rejects EX 0; a key that should already be gone lives the shortest time we can say.
    const auto seconds = std::max<std::chrono::seconds::rep>(ttl.count(), 1);
    Command cmd{"SET", std::move(key), std::move(value), "EX", std::to_string(seconds)};
    auto reply = co_await client_.command(std::move(cmd));
    co_return ok(reply, "SET") && reply.is_status("OK");
  }

  awaitable<bool> exists(std::string key) override {
    Command cmd{"EXISTS", std::move(key)};
    auto reply = co_await client_.command(std::move(cmd));
    co_return ok(reply, "EXISTS") && reply.type == Reply::Type::integer && reply.integer > 0;
  }

  awaitable<bool> remove(std::string key) override {
    Command cmd{"DEL", std::move(key)};
    auto reply = co_await client_.command(std::move(cmd));
    co_return ok(reply, "DEL") && reply.type == Reply::Type::integer;
  }

  awaitable<bool> ping() override {
    Command cmd{"PING"};
    auto reply = co_await client_.command(std::move(cmd));
    co_return reply.is_status("PONG");
  }

  bool configured_remote() const override { return true; }

  void stop() override {
    client_.stop();
    subscriber_->stop();
  }

 private:
  awaitable<bool> set_change(const char* verb, std::string key, std::vector<std::string> members) {
    if (members.empty()) {
      co_return true;  // SADD/SREM need a member; nothing to change is a success
    }
    std::vector<std::string> command;
    command.reserve(members.size() + 2);
    command.emplace_back(verb);
    command.push_back(std::move(key));
    std::move(members.begin(), members.end(), std::back_inserter(command));
    auto reply = co_await client_.command(std::move(command));
    co_return ok(reply, verb) && reply.type == Reply::Type::integer;
  }

  // Unavailability is the caller's to log (it knows what was lost); a Redis error reply is a
  // bug or a misconfiguration, so it is logged here.
  static bool ok(const Reply& reply, const char* verb) {
    if (reply.type == Reply::Type::error) {
      spdlog::error("redis {} failed: {}", verb, reply.str);
    }
    return !reply.failed();
  }

  RedisClient client_;
  std::shared_ptr<RedisSubscriber> subscriber_;
};

}  // namespace

std::shared_ptr<Bus> make_redis_bus(executor ex, const RedisEndpoint& endpoint, RedisOptions options) {
  return std::make_shared<RedisBus>(std::move(ex), endpoint, options);
}

std::shared_ptr<Bus> make_redis_bus(executor ex, const std::string& url) {
  return make_redis_bus(std::move(ex), parse_redis_url(url), RedisOptions{});
}

}  // namespace collabdev::bus
