#include "realtime/presence_tracker.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "realtime/protocol.hpp"

namespace collabdev::realtime {

namespace bj = boost::json;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A one-element list built outside the coroutine (g++ 12 miscompiles braced lists across co_await).
std::vector<std::string> one(std::string s) {
  std::vector<std::string> v;
  v.push_back(std::move(s));
  return v;
}

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  return fmt::format("{:016x}", rng());
}

std::string pair_of(const std::string& room, const std::string& user) { return room + " " + user; }

// Built outside coroutines: g++ 12 miscompiles braced lists across co_await.
bj::value joined_data(const std::string& user, const std::string& room, bj::object profile) {
  profile["user_id"] = user;
  profile["room"] = room;
  if (!profile.contains("name")) {
    profile["name"] = nullptr;
  }
  if (!profile.contains("avatar_url")) {
    profile["avatar_url"] = nullptr;
  }
  return profile;
}
bj::value left_data(const std::string& user, const std::string& room) {
  return bj::object{{"user_id", user}, {"room", room}};
}

}  // namespace

PresenceTracker::PresenceTracker(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, std::chrono::seconds heartbeat,
                                 std::chrono::seconds ttl)
    : ioc_(ioc), bus_(std::move(bus)), heartbeat_(heartbeat), ttl_(ttl), iid_(random_id()),
      strand_(asio::make_strand(ioc)), timer_(strand_) {}

bool PresenceTracker::enter(const std::string& room, const std::string& user) {
  std::lock_guard lock(mutex_);
  return ++local_[room][user] == 1;
}

bool PresenceTracker::exit(const std::string& room, const std::string& user) {
  std::lock_guard lock(mutex_);
  auto it = local_.find(room);
  if (it == local_.end()) {
    return false;
  }
  auto& users = it->second;
  bool last = false;
  if (auto u = users.find(user); u != users.end() && --u->second <= 0) {
    users.erase(u);
    last = true;
  }
  if (users.empty()) {
    local_.erase(it);
  }
  return last;
}

awaitable<void> PresenceTracker::joined(std::string room, std::string user, bj::object profile) {
  co_await bus_->set_add(channels::presence_set(room), one(user));
  co_await bus_->set_add(channels::presence_instance(iid_), one(pair_of(room, user)));
  auto note = envelope("presence.joined", nullptr, room, joined_data(user, room, std::move(profile)));
  co_await bus_->publish(channels::presence_events(room), *note);
}

void PresenceTracker::left(std::string room, std::string user) {
  asio::co_spawn(ioc_, leave(std::move(room), std::move(user), false), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::warn("presence: leave failed: {}", ex.what());
      }
    }
  });
}

// Whether a live instance other than `except_iid` holds the pair: one SISMEMBER per instance,
// never a read of whole sets.
awaitable<bool> PresenceTracker::held_elsewhere(const std::string& pair, const std::string& except_iid) {
  auto instances = co_await bus_->set_members(std::string(channels::presence_instances));
  for (const auto& other : instances) {
    if (other == except_iid) {
      continue;
    }
    if (other != iid_) {
      const bool alive = co_await bus_->exists(channels::presence_instance_alive(other));
      if (!alive) {
        continue;
      }
    }
    if (co_await bus_->set_contains(channels::presence_instance(other), pair)) {
      co_return true;
    }
  }
  co_return false;
}

awaitable<void> PresenceTracker::leave(std::string room, std::string user, bool from_reaper) {
  const std::string pair = pair_of(room, user);
  if (!from_reaper) {
    {
      // A new tab may have joined while this coroutine was queued.
      std::lock_guard lock(mutex_);
      auto it = local_.find(room);
      if (it != local_.end() && it->second.contains(user)) {
        co_return;
      }
    }
    co_await bus_->set_remove(channels::presence_instance(iid_), one(pair));
  }
  // Named, not a conditional temporary: g++ 12 destroys those twice across co_await.
  std::string except_iid;
  if (!from_reaper) {
    except_iid = iid_;
  }
  if (co_await held_elsewhere(pair, except_iid)) {
    co_return;
  }
  co_await bus_->set_remove(channels::presence_set(room), one(user));
  auto note = envelope("presence.left", nullptr, room, left_data(user, room));
  co_await bus_->publish(channels::presence_events(room), *note);
}

awaitable<void> PresenceTracker::reassert_pairs() {
  std::vector<std::pair<std::string, std::string>> pairs;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [room, users] : local_) {
      for (const auto& [user, n] : users) {
        pairs.emplace_back(room, user);
      }
    }
  }
  co_await bus_->set_add(std::string(channels::presence_instances), one(iid_));
  for (const auto& [room, user] : pairs) {
    co_await bus_->set_add(channels::presence_set(room), one(user));
    co_await bus_->set_add(channels::presence_instance(iid_), one(pair_of(room, user)));
  }
}

void PresenceTracker::reassert() { asio::co_spawn(ioc_, reassert_pairs(), asio::detached); }

awaitable<void> PresenceTracker::reap_dead_instances() {
  auto instances = co_await bus_->set_members(std::string(channels::presence_instances));
  for (const auto& other : instances) {
    if (other == iid_) {
      continue;
    }
    const bool alive = co_await bus_->exists(channels::presence_instance_alive(other));
    if (alive) {
      continue;
    }
    // An instance that stopped heart-beating died without saying goodbye: its users leave.
    auto pairs = co_await bus_->set_members(channels::presence_instance(other));
    co_await bus_->remove(channels::presence_instance(other));
    co_await bus_->set_remove(std::string(channels::presence_instances), one(other));
    for (const auto& pair : pairs) {
      const auto space = pair.rfind(' ');
      if (space == std::string::npos) {
        continue;
      }
      co_await leave(pair.substr(0, space), pair.substr(space + 1), true);
    }
    if (!pairs.empty()) {
      spdlog::info("presence: reaped {} entries of instance {}", pairs.size(), other);
    }
  }
}

awaitable<void> PresenceTracker::heartbeat_loop() {
  auto self = shared_from_this();
  bool first = true;
  while (!stopping_) {
    try {
      if (first) {
        co_await reassert_pairs();
        first = false;
      }
      co_await bus_->set_with_ttl(channels::presence_instance_alive(iid_), "1", ttl_);
      co_await bus_->set_add(std::string(channels::presence_instances), one(iid_));
      co_await reap_dead_instances();
    } catch (const std::exception& e) {
      spdlog::warn("presence heartbeat failed: {}", e.what());
    }
    timer_.expires_after(heartbeat_);
    auto [ec] = co_await timer_.async_wait(use_tuple);
    if (ec) {
      break;
    }
  }
}

void PresenceTracker::start() { asio::co_spawn(strand_, heartbeat_loop(), asio::detached); }

void PresenceTracker::stop() {
  stopping_ = true;
  asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

awaitable<std::vector<std::string>> PresenceTracker::present(std::string room) {
  co_return co_await bus_->set_members(channels::presence_set(room));
}

}  // namespace collabdev::realtime
