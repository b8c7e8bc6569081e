#include "modules/tasks/board_cache.hpp"

namespace collabdev::tasks {

std::shared_ptr<const std::string> BoardCache::find(const std::string& project_id, std::int64_t seq) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(project_id);
  if (it == entries_.end() || it->second.seq != seq) {
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.board;
}

void BoardCache::store(const std::string& project_id, std::int64_t seq, std::shared_ptr<const std::string> board) {
  if (board->size() > max_bytes_ / 4) {
    return;  // one giant board must not evict every other
  }
  std::lock_guard lock(mutex_);
  auto it = entries_.find(project_id);
  if (it != entries_.end()) {
    if (it->second.seq > seq) {
      return;  // a newer rendering is already here
    }
    bytes_ -= it->second.board->size();
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    it->second.seq = seq;
    it->second.board = std::move(board);
    bytes_ += it->second.board->size();
  } else {
    lru_.push_front(project_id);
    bytes_ += board->size();
    entries_.emplace(project_id, Entry{seq, std::move(board), lru_.begin()});
  }
  evict_locked();
}

void BoardCache::evict_locked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.board->size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

std::size_t BoardCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace collabdev::tasks
