#pragma once
// Rendered boards by project, valid for one board sequence number. Every board write bumps
// projects.board_seq in its transaction, so a cached board whose sequence equals the current one
// is exactly what PostgreSQL would render now, on any instance. Bounded in bytes.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace collabdev::tasks {

class BoardCache {
 public:
  explicit BoardCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const std::string> find(const std::string& project_id, std::int64_t seq);
  void store(const std::string& project_id, std::int64_t seq, std::shared_ptr<const std::string> board);
  std::size_t bytes() const;

 private:
  struct Entry {
    std::int64_t seq;
    std::shared_ptr<const std::string> board;
    std::list<std::string>::iterator lru;
  };
  void evict_locked();
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::size_t bytes_ = 0;
  std::list<std::string> lru_;  // most recent first
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace collabdev::tasks
