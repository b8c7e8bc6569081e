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

// Who asks for a hash. Registrations may hold only a share of the queue, so that a flood of them
// cannot take the places that sign-ins (and password changes) need.
enum class HashUse { sign_in, registration };

class PasswordHasher {
 public:
  // `threads` workers; at most `max_pending` hashes queued or running, of which registrations at
  // most `max_pending / 4`. Beyond that: 503 with Retry-After, never an unbounded wait.
  PasswordHasher(unsigned threads, std::size_t max_pending);
  ~PasswordHasher();
  awaitable<std::string> hash(std::string password, HashUse use = HashUse::sign_in);
  awaitable<bool> verify(std::string hash, std::string password);
  // Spends the same work as verify() against a real hash, for unknown accounts.
  awaitable<void> verify_dummy(std::string password);

 private:
  // One place in the queue (and in the registration share); given back when destroyed.
  struct Slot {
    std::atomic<std::size_t>* n;
    std::atomic<std::size_t>* share;
    Slot(std::atomic<std::size_t>* counter, std::atomic<std::size_t>* share_counter)
        : n(counter), share(share_counter) {}
    Slot(const Slot&) = delete;
    ~Slot() {
      n->fetch_sub(1);
      if (share != nullptr) {
        share->fetch_sub(1);
      }
    }
  };
  Slot enter(HashUse use);
  std::unique_ptr<asio::thread_pool> pool_;
  std::size_t max_pending_;
  std::size_t max_registrations_;
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::size_t> registrations_{0};
  std::string dummy_hash_;
};

}  // namespace collabdev::auth
