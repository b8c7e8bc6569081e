#pragma once
// Events of a project published in the order they were numbered, off the request path.
//
// A write numbers its event (projects.board_seq) under the project's row lock, so the order in
// which writes take a slot here while still holding that lock is the order of their numbers.
// After its commit the write fills its slot and returns at once; one drainer per project
// publishes the filled slots from the head of the queue, one at a time, and stops at the first
// slot still open. A slot dropped unfilled (the transaction failed) is skipped. Across instances
// there is no order to keep: clients wait a moment for a missing number, then re-fetch.
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bus/bus.hpp"

namespace collabdev::projects {

class OrderedEvents {
  struct State;
  struct Entry;

 public:
  explicit OrderedEvents(std::shared_ptr<bus::Bus> bus);

  // A place in the project's queue. Move-only; dropped unfilled, it is skipped.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&&) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();
    // Fills the slot and returns without waiting for the bus. `ex` runs the drainer.
    void publish(const executor& ex, std::string channel, std::string payload);

   private:
    friend class OrderedEvents;
    Slot(std::shared_ptr<State> state, std::string project_id, std::shared_ptr<Entry> entry);
    void resolve(const executor* ex, std::string channel, std::string payload);
    std::shared_ptr<State> state_;
    std::string project_id_;
    std::shared_ptr<Entry> entry_;
  };

  // Takes the next place in `project_id`'s queue: call it while holding the project's lock,
  // after the statement that numbered the event and before the commit.
  Slot reserve(const std::string& project_id);

  // Events taken but not yet handed to the bus, over all projects (for tests and metrics).
  std::size_t pending() const;

 private:
  static awaitable<void> drain(std::shared_ptr<State> state, std::string project_id);
  std::shared_ptr<State> state_;
};

}  // namespace collabdev::projects
