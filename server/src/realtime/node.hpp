#pragma once
// The gateway's shared state (Centrifuge's Node): options and services, the rooms, presence,
// and the registry of open connections that admission control, session revocation and
// shutdown work on.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bus/bus.hpp"
#include "realtime/client.hpp"
#include "realtime/gateway.hpp"
#include "realtime/presence_tracker.hpp"
#include "realtime/rooms.hpp"

namespace collabdev::realtime {

struct Node : std::enable_shared_from_this<Node> {
  Node(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, GatewayServices services, GatewayOptions options);

  asio::io_context& ioc;
  std::shared_ptr<bus::Bus> bus;
  GatewayServices services;
  GatewayOptions options;
  std::shared_ptr<PresenceTracker> presence;
  std::shared_ptr<Rooms> rooms;
  std::atomic<bool> stopping{false};
  bus::Subscription sessions_revoked;

  // Registers an open connection unless a cap is reached (then it must be refused).
  bool admit(const std::shared_ptr<Client>& client);
  // Unregisters it, whatever state it ended in (failed handshake included).
  void forget(const std::shared_ptr<Client>& client);
  // Indexes an authenticated connection by its session, for revocation. False when the session
  // was revoked a moment ago (a sign-out that crossed the authentication): refuse it.
  bool authenticated(const std::shared_ptr<Client>& client);
  std::vector<std::shared_ptr<Client>> all() const;
  std::size_t count() const;

  // Closes (4401) every local connection of these sessions.
  void revoke_sessions(const std::vector<std::string>& session_ids);
  // After a bus reconnect: clients resync, presence is written back, and sessions and room
  // memberships are checked again (their revocations may have been lost).
  void after_reconnect();

 private:
  awaitable<void> recheck_sessions();
  awaitable<void> recheck_rooms();

  mutable std::mutex mutex_;
  std::unordered_set<std::shared_ptr<Client>> clients_;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<Client>>> by_session_;
  // Sessions revoked in the last minute, so that a socket whose authentication read the session
  // just before its sign-out was published is still refused.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> recently_revoked_;
  std::size_t sweep_at_ = 1024;
};

}  // namespace collabdev::realtime
