#pragma once
// argon2id hashing on a small bounded worker pool, so hashing never runs on an I/O thread and a
// flood of logins cannot occupy every core.
#include <atomic>
#include <memory>
#include <string>

#include "core/asio.hpp"

namespace boost::asio {
class thread_pool;
}

namespace collabdev::auth {

class PasswordHasher {
 public:
  // `threads` workers; at most `max_pending` hashes queued or running (beyond: 503).
  PasswordHasher(unsigned threads, std::size_t max_pending);
  ~PasswordHasher();
  awaitable<std::string> hash(std::string password);
  awaitable<bool> verify(std::string hash, std::string password);
  // Spends the same work as verify() against a real hash, for unknown accounts.
  awaitable<void> verify_dummy(std::string password);

 private:
  // One of the max_pending places; given back when destroyed.
  struct Slot {
    std::atomic<std::size_t>* n;
    explicit Slot(std::atomic<std::size_t>* counter) : n(counter) {}
    Slot(const Slot&) = delete;
    ~Slot() { n->fetch_sub(1); }
  };
  Slot enter();
  std::unique_ptr<asio::thread_pool> pool_;
  std::size_t max_pending_;
  std::atomic<std::size_t> pending_{0};
  std::string dummy_hash_;
};

}  // namespace collabdev::auth
