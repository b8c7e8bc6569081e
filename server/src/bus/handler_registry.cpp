#include "bus/handler_registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace collabdev::bus {

HandlerRegistry::Added HandlerRegistry::add(const std::string& channel, MessageHandler handler) {
  auto slot = std::make_shared<Slot>(std::move(handler));
  std::lock_guard lock(mutex_);
  auto& slots = channels_[channel];
  const bool first = slots.empty();
  slots.push_back(slot);
  return Added{std::move(slot), first};
}

bool HandlerRegistry::remove(const std::string& channel, const std::shared_ptr<Slot>& slot) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) {
    return false;
  }
  auto& slots = it->second;
  const auto before = slots.size();
  std::erase(slots, slot);
  if (slots.size() == before || !slots.empty()) {
    return false;
  }
  channels_.erase(it);
  return true;
}

bool HandlerRegistry::has(const std::string& channel) const {
  std::lock_guard lock(mutex_);
  return channels_.contains(channel);
}

std::vector<std::string> HandlerRegistry::channels() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(channels_.size());
  for (const auto& [name, slots] : channels_) {
    out.push_back(name);
  }
  return out;
}

void HandlerRegistry::dispatch(const Message& msg) const {
  std::vector<std::shared_ptr<Slot>> targets;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(msg.channel);
    if (it == channels_.end()) {
      return;
    }
    targets = it->second;
  }
  for (const auto& slot : targets) {
    if (!slot->active) {
      continue;
    }
    // One faulty listener must not starve the others nor kill the subscriber loop.
    try {
      slot->handler(msg);
    } catch (const std::exception& e) {
      spdlog::error("bus: handler for {} threw: {}", msg.channel, e.what());
    }
  }
}

}  // namespace collabdev::bus
