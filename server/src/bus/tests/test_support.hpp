#pragma once
// Test helpers: a multi-threaded io_context, bounded waits, the Redis URL, a throwaway
// redis-server child process.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/asio.hpp"

namespace collabdev::bus::test {

using namespace std::chrono_literals;

// TEST_REDIS_URL, else REDIS_URL, else nothing (the test skips).
inline std::optional<std::string> redis_url() {
  for (const char* name : {"TEST_REDIS_URL", "REDIS_URL"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      return std::string(v);
    }
  }
  return std::nullopt;
}

// A unique prefix so concurrent test runs on the shared Redis do not see each other's keys.
std::string unique(const std::string& what);

// An io_context run by several threads, so thread-safety is exercised.
class IoThreads {
 public:
  explicit IoThreads(int threads = 2);
  ~IoThreads();
  executor ex() { return io_.get_executor(); }
  asio::io_context& io() { return io_; }

  // Runs `task` on the pool and waits at most `limit`; a hang fails the test instead of the run.
  template <class T>
  T run(awaitable<T> task, std::chrono::milliseconds limit = 10s) {
    auto fut = asio::co_spawn(io_, std::move(task), asio::use_future);
    if (fut.wait_for(limit) != std::future_status::ready) {
      // Stop the pool first so the abandoned coroutine cannot touch the test's locals later.
      halt();
      throw std::runtime_error("test step did not finish in time");
    }
    return fut.get();
  }

  // Lets every pending operation finish; false when work remains after `limit` (a leak or a
  // stop() that did not stop).
  bool drain(std::chrono::milliseconds limit = 5s);
  void halt();

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

// Collects values pushed from handler threads; wait() is bounded.
template <class T>
class Inbox {
 public:
  void push(T v) {
    // Notified under the lock: a waiter that returns (and may destroy the inbox) cannot do so
    // while this thread is still inside notify_all.
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(v));
    cv_.notify_all();
  }
  std::optional<T> wait(std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, limit, [&] { return !items_.empty(); })) {
      return std::nullopt;
    }
    T v = std::move(items_.front());
    items_.pop_front();
    return v;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

// A private redis-server on 127.0.0.1:<port> (and a unix socket), killed on destruction.
class RedisServerProcess {
 public:
  RedisServerProcess();
  ~RedisServerProcess();
  // Starts the server and waits until it accepts connections; false if it did not come up.
  bool start();
  void kill();
  unsigned short port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::string unix_url() const { return "unix://" + socket_path_; }

 private:
  unsigned short port_ = 0;
  std::string dir_;
  std::string socket_path_;
  int pid_ = -1;
};

// Polls PUBSUB NUMSUB until `channel` has `count` subscribers (across all clients).
bool wait_numsub(IoThreads& io, const std::string& url, const std::string& channel, long long count,
                 std::chrono::milliseconds limit = 5s);

}  // namespace collabdev::bus::test
