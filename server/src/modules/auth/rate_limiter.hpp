#pragma once
// Counts failed sign-ins per key (account or client address) in a sliding window. Kept in
// process memory: each instance limits what it sees, which bounds guessing per instance.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace collabdev::auth {

class FailureLimiter {
 public:
  using clock = std::chrono::steady_clock;
  FailureLimiter(std::size_t max_failures, std::chrono::seconds window) : max_(max_failures), window_(window) {}
  // Seconds until the key may try again, or 0 when it may now.
  int retry_after(const std::string& key, clock::time_point now = clock::now());
  void record_failure(const std::string& key, clock::time_point now = clock::now());
  void reset(const std::string& key);

 private:
  void prune(std::deque<clock::time_point>& q, clock::time_point now) const;
  std::size_t max_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<clock::time_point>> failures_;
};

}  // namespace collabdev::auth
