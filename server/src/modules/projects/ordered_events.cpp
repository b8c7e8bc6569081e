#include "modules/projects/ordered_events.hpp"

#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

namespace collabdev::projects {

struct OrderedEvents::Entry {
  enum class Status { open, filled, dropped };
  Status status = Status::open;
  std::optional<executor> filled_on;  // runs the drainer that publishes it
  std::string channel;
  std::string payload;
};

struct OrderedEvents::State {
  struct Queue {
    std::deque<std::shared_ptr<Entry>> entries;
    bool draining = false;
  };
  std::shared_ptr<bus::Bus> bus;
  mutable std::mutex mutex;
  std::unordered_map<std::string, Queue> queues;  // guarded by mutex
};

OrderedEvents::OrderedEvents(std::shared_ptr<bus::Bus> bus) : state_(std::make_shared<State>()) {
  state_->bus = std::move(bus);
}

OrderedEvents::Slot OrderedEvents::reserve(const std::string& project_id) {
  auto entry = std::make_shared<Entry>();
  {
    std::lock_guard lock(state_->mutex);
    state_->queues[project_id].entries.push_back(entry);
  }
  return Slot(state_, project_id, std::move(entry));
}

std::size_t OrderedEvents::pending() const {
  std::lock_guard lock(state_->mutex);
  std::size_t n = 0;
  for (const auto& [id, q] : state_->queues) {
    n += q.entries.size();
  }
  return n;
}

OrderedEvents::Slot::Slot(std::shared_ptr<State> state, std::string project_id, std::shared_ptr<Entry> entry)
    : state_(std::move(state)), project_id_(std::move(project_id)), entry_(std::move(entry)) {}

OrderedEvents::Slot& OrderedEvents::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    resolve(nullptr, {}, {});
    state_ = std::move(other.state_);
    project_id_ = std::move(other.project_id_);
    entry_ = std::move(other.entry_);
  }
  return *this;
}

OrderedEvents::Slot::~Slot() { resolve(nullptr, {}, {}); }

void OrderedEvents::Slot::publish(const executor& ex, std::string channel, std::string payload) {
  resolve(&ex, std::move(channel), std::move(payload));
}

// Fills (ex given) or drops (no ex) the slot; starts the drainer when the head is filled and none
// runs. Dropped entries at the head are cleared here, as a drainer would.
void OrderedEvents::Slot::resolve(const executor* ex, std::string channel, std::string payload) {
  if (!entry_) {
    return;
  }
  std::optional<executor> start;
  {
    std::lock_guard lock(state_->mutex);
    if (ex != nullptr) {
      entry_->status = Entry::Status::filled;
      entry_->filled_on = *ex;
      entry_->channel = std::move(channel);
      entry_->payload = std::move(payload);
    } else {
      entry_->status = Entry::Status::dropped;
    }
    auto it = state_->queues.find(project_id_);
    if (it != state_->queues.end() && !it->second.draining) {
      auto& q = it->second;
      while (!q.entries.empty() && q.entries.front()->status == Entry::Status::dropped) {
        q.entries.pop_front();
      }
      if (q.entries.empty()) {
        state_->queues.erase(it);
      } else if (q.entries.front()->status == Entry::Status::filled) {
        q.draining = true;
        start = q.entries.front()->filled_on;
      }
    }
  }
  entry_.reset();
  if (start) {
    asio::co_spawn(*start, drain(state_, project_id_), asio::detached);
  }
  state_.reset();
}

awaitable<void> OrderedEvents::drain(std::shared_ptr<State> state, std::string project_id) {
  for (;;) {
    std::optional<std::pair<std::string, std::string>> next;
    {
      std::lock_guard lock(state->mutex);
      auto it = state->queues.find(project_id);
      if (it == state->queues.end()) {
        co_return;  // cannot happen while draining is set; nothing to do anyway
      }
      auto& q = it->second;
      while (!q.entries.empty() && q.entries.front()->status == Entry::Status::dropped) {
        q.entries.pop_front();
      }
      if (q.entries.empty()) {
        state->queues.erase(it);
        co_return;
      }
      if (q.entries.front()->status == Entry::Status::open) {
        // Whoever fills it starts the next drainer.
        q.draining = false;
        co_return;
      }
      auto& head = *q.entries.front();
      next.emplace(std::move(head.channel), std::move(head.payload));
      q.entries.pop_front();
    }
    bool published = false;
    try {
      published = co_await state->bus->publish(next->first, std::move(next->second));
    } catch (const std::exception& e) {
      spdlog::warn("event of project {} not published: {}", project_id, e.what());
    }
    if (!published) {
      spdlog::warn("event of project {} not published on {}: bus unreachable", project_id, next->first);
    }
  }
}

}  // namespace collabdev::projects
