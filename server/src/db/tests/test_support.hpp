#pragma once
// Shared by the db tests: an io_context on several threads (as in the server) and the test URL.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "db/db.hpp"

namespace collabdev::db::testing {

class IoThreads {
 public:
  explicit IoThreads(int threads = 3) : guard_(asio::make_work_guard(context_)) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { context_.run(); });
    }
  }
  ~IoThreads() {
    guard_.reset();
    for (auto& thread : threads_) {
      thread.join();
    }
  }
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  executor get_executor() { return context_.get_executor(); }

  // Runs a coroutine-returning callable on the pool threads and waits for its result
  // (the callable is kept alive by co_spawn, so lambda captures stay valid).
  template <class F>
  auto run(F&& f) {
    return asio::co_spawn(context_, std::forward<F>(f), asio::use_future).get();
  }

 private:
  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

inline std::optional<std::string> test_database_url() {
  const char* url = std::getenv("TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    return std::nullopt;
  }
  return std::string(url);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace collabdev::db::testing
