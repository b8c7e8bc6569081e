#include "modules/auth/rate_limiter.hpp"

namespace collabdev::auth {

void FailureLimiter::prune(std::deque<clock::time_point>& q, clock::time_point now) const {
  while (!q.empty() && now - q.front() >= window_) {
    q.pop_front();
  }
}

int FailureLimiter::retry_after(const std::string& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    return 0;
  }
  prune(it->second, now);
  if (it->second.size() < max_) {
    if (it->second.empty()) {
      failures_.erase(it);
    }
    return 0;
  }
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(it->second.front() + window_ - now).count();
  return static_cast<int>(std::max<long long>(1, wait));
}

void FailureLimiter::record_failure(const std::string& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& q = failures_[key];
  prune(q, now);
  q.push_back(now);
  // Bound memory per key: only the newest max_ failures matter.
  while (q.size() > max_) {
    q.pop_front();
  }
  // Bound the map: drop stale keys when it grows large.
  if (failures_.size() > 100000) {
    for (auto i = failures_.begin(); i != failures_.end();) {
      prune(i->second, now);
      i = i->second.empty() ? failures_.erase(i) : std::next(i);
    }
  }
}

void FailureLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace collabdev::auth
