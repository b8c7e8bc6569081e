#pragma once
// Channel -> local handlers, shared by the Redis subscriber and the in-process bus.
// Thread-safe; dispatch runs handlers outside the lock so they may subscribe or unsubscribe.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.hpp"

namespace collabdev::bus {

class HandlerRegistry {
 public:
  struct Slot {
    explicit Slot(MessageHandler h) : handler(std::move(h)) {}
    MessageHandler handler;
    // Cleared on unsubscribe so a dispatch already holding the slot skips it.
    std::atomic<bool> active{true};
  };

  struct Added {
    std::shared_ptr<Slot> slot;
    bool first = false;  // the channel had no handler before
  };

  Added add(const std::string& channel, MessageHandler handler);
  // Returns true when this was the channel's last handler.
  bool remove(const std::string& channel, const std::shared_ptr<Slot>& slot);
  bool has(const std::string& channel) const;
  std::vector<std::string> channels() const;
  // Calls every active handler of msg.channel with the same Message (one shared payload).
  void dispatch(const Message& msg) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Slot>>> channels_;
};

}  // namespace collabdev::bus
