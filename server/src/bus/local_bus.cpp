#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <mutex>
#include <set>
#include <unordered_map>
#include <variant>

#include "bus/bus.hpp"
#include "bus/handler_registry.hpp"

namespace collabdev::bus {
namespace {

using Clock = std::chrono::steady_clock;

awaitable<bool> ready(bool value) { co_return value; }

// One instance, no Redis: the same contract in memory. Handlers run on a strand of the given
// executor, after publish returns, as they would with Redis.
class LocalBus final : public Bus, public std::enable_shared_from_this<LocalBus> {
 public:
  explicit LocalBus(executor ex) : strand_(asio::make_strand(ex)) {}

  // Not a coroutine: GCC 12 mis-moves init-captures of coroutine parameters.
  awaitable<bool> publish(std::string channel, std::string payload) override {
    if (stopped()) {
      return ready(false);
    }
    Message msg{std::move(channel), std::make_shared<const std::string>(std::move(payload))};
    asio::post(strand_, [self = shared_from_this(), msg = std::move(msg)] {
      if (!self->stopped()) {
        self->registry_.dispatch(msg);
      }
    });
    return ready(true);
  }

  Subscription subscribe(const std::string& channel, MessageHandler handler) override {
    auto added = registry_.add(channel, std::move(handler));
    return Subscription([weak = weak_from_this(), channel, slot = std::move(added.slot)] {
      slot->active = false;
      if (auto self = weak.lock()) {
        self->registry_.remove(channel, slot);
      }
    });
  }

  // Dispatch is in-process: a registered handler receives every later publish.
  awaitable<bool> subscribed(std::string channel, std::chrono::milliseconds) override {
    co_return registry_.has(channel);
  }

  // Never fires: there is no connection to lose.
  void on_resubscribed(std::function<void()>) override {}

  awaitable<bool> set_add(std::string key, std::vector<std::string> members) override {
    std::lock_guard lock(mutex_);
    auto* set = writable_set(key);
    if (set == nullptr) {
      co_return false;
    }
    set->insert(std::make_move_iterator(members.begin()), std::make_move_iterator(members.end()));
    if (set->empty()) {
      keys_.erase(key);
    }
    co_return true;
  }

  awaitable<bool> set_remove(std::string key, std::vector<std::string> members) override {
    std::lock_guard lock(mutex_);
    auto* set = writable_set(key);
    if (set == nullptr) {
      co_return false;
    }
    for (const auto& m : members) {
      set->erase(m);
    }
    // Like Redis, an empty set is no key at all.
    if (set->empty()) {
      keys_.erase(key);
    }
    co_return true;
  }

  awaitable<std::vector<std::string>> set_members(std::string key) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    if (auto* entry = live(key)) {
      if (auto* set = std::get_if<Set>(&entry->value)) {
        out.assign(set->begin(), set->end());
      }
    }
    co_return out;
  }

  awaitable<bool> set_contains(std::string key, std::string member) override {
    std::lock_guard lock(mutex_);
    if (auto* entry = live(key)) {
      if (auto* set = std::get_if<Set>(&entry->value)) {
        co_return set->contains(member);
      }
    }
    co_return false;
  }

  awaitable<bool> set_with_ttl(std::string key, std::string value, std::chrono::seconds ttl) override {
    std::lock_guard lock(mutex_);
    sweep();
    keys_[std::move(key)] = Entry{std::move(value), Clock::now() + std::max(ttl, std::chrono::seconds(1))};
    co_return true;
  }

  awaitable<bool> exists(std::string key) override {
    std::lock_guard lock(mutex_);
    co_return live(key) != nullptr;
  }

  awaitable<bool> remove(std::string key) override {
    std::lock_guard lock(mutex_);
    keys_.erase(key);
    co_return true;
  }

  awaitable<bool> ping() override { co_return true; }
  bool configured_remote() const override { return false; }

  void stop() override {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }

 private:
  using Set = std::set<std::string>;
  struct Entry {
    std::variant<std::string, Set> value;
    std::optional<Clock::time_point> expires;
  };

  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  // The entry for `key` unless it has expired (then it is dropped). Caller holds mutex_.
  Entry* live(const std::string& key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) {
      return nullptr;
    }
    if (it->second.expires && *it->second.expires <= Clock::now()) {
      keys_.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  // The set at `key`, created if absent; nullptr when the key holds a string (WRONGTYPE).
  Set* writable_set(const std::string& key) {
    if (auto* entry = live(key)) {
      return std::get_if<Set>(&entry->value);
    }
    return &std::get<Set>(keys_.emplace(key, Entry{Set{}, std::nullopt}).first->second.value);
  }

  // Expired heartbeats nobody reads again would pile up; drop them once the map has doubled.
  void sweep() {
    if (keys_.size() < sweep_at_) {
      return;
    }
    const auto now = Clock::now();
    std::erase_if(keys_, [now](const auto& kv) { return kv.second.expires && *kv.second.expires <= now; });
    sweep_at_ = std::max<std::size_t>(1024, keys_.size() * 2);
  }

  asio::strand<executor> strand_;
  HandlerRegistry registry_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> keys_;
  std::size_t sweep_at_ = 1024;
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<Bus> make_local_bus(executor ex) { return std::make_shared<LocalBus>(std::move(ex)); }

}  // namespace collabdev::bus
