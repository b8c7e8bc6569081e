#pragma once
// Presence across instances: which users are in which room (the seed's `presence:<room>` sets),
// announced with `presence.joined` / `presence.left` on `ws:<room>:presence`. Each instance
// keeps the pairs it holds in `presence:instance:<id>` and a heartbeat key; an instance that
// stops heart-beating is reaped by the others and its users leave.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "bus/bus.hpp"
#include "core/asio.hpp"

namespace collabdev::realtime {

class PresenceTracker : public std::enable_shared_from_this<PresenceTracker> {
 public:
  PresenceTracker(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, std::chrono::seconds heartbeat,
                  std::chrono::seconds ttl);

  // Local connection counts (two tabs leave only when both go). True for the user's first
  // connection in the room on this instance, respectively for the last one.
  bool enter(const std::string& room, const std::string& user);
  bool exit(const std::string& room, const std::string& user);

  // Announces a first local entry; `profile` ({name, avatar_url}) goes into presence.joined.
  awaitable<void> joined(std::string room, std::string user, boost::json::object profile);
  // Announces a last local exit, unless another instance still holds the user in the room.
  void left(std::string room, std::string user);

  void start();
  void stop();
  // Redis may have lost the sets (restart): write back what this instance holds.
  void reassert();
  awaitable<std::vector<std::string>> present(std::string room);
  const std::string& instance_id() const { return iid_; }

 private:
  awaitable<void> leave(std::string room, std::string user, bool from_reaper);
  awaitable<bool> held_elsewhere(const std::string& pair, const std::string& except_iid);
  awaitable<void> heartbeat_loop();
  awaitable<void> reap_dead_instances();
  awaitable<void> reassert_pairs();

  asio::io_context& ioc_;
  std::shared_ptr<bus::Bus> bus_;
  std::chrono::seconds heartbeat_;
  std::chrono::seconds ttl_;
  std::string iid_;
  asio::strand<asio::io_context::executor_type> strand_;  // the heartbeat's
  asio::steady_timer timer_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<std::string, int>> local_;  // room -> user -> count
};

}  // namespace collabdev::realtime
