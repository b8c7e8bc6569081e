// The lease pool: idle connections, a bounded number of open ones, and a FIFO of waiters woken
// through a thread-safe channel (the io_context runs on several threads).
#include <libpq-fe.h>

#include <algorithm>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "db/connection_impl.hpp"

namespace collabdev::db {

namespace {

namespace ex = asio::experimental;

constexpr Statement kPing{"collabdev.db.ping", "SELECT 1"};

// A keyword's value in a conninfo (the password, so that it can be scrubbed from libpq's
// messages; the options, so that the pool's settings add to them instead of replacing them).
std::string conninfo_value(const std::string& conninfo, std::string_view keyword) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    // libpq's parse message may quote part of the string, password included: don't repeat it.
    if (error != nullptr) {
      PQfreemem(error);
    }
    throw Error("invalid PostgreSQL connection string", "");
  }
  std::string secret;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == keyword && option->val != nullptr) {
      secret = option->val;
    }
  }
  PQconninfoFree(options);
  return secret;
}

// The libpq `options` of every connection: the conninfo's own, then the session timeouts (set at
// connection start, so that RESET returns to them).
std::string session_settings(std::string options, const PoolOptions& pool) {
  auto add = [&](std::string_view name, std::chrono::milliseconds value) {
    if (value.count() > 0) {
      options += options.empty() ? "" : " ";
      options += "-c " + std::string(name) + "=" + std::to_string(value.count());
    }
  };
  add("statement_timeout", pool.statement_timeout);
  add("lock_timeout", pool.lock_timeout);
  add("idle_in_transaction_session_timeout", pool.idle_in_transaction_timeout);
  return options;
}

}  // namespace

// Guarded by Pool::mutex_ except `wakeup`, which is itself thread-safe.
struct Pool::Waiter {
  explicit Waiter(const executor& ex) : strand(asio::make_strand(ex)), wakeup(strand, 1) {}
  // The wait runs on this strand: Boost 1.81's parallel_group registers its cancellation handler
  // after starting the operations, which may complete first on another thread.
  asio::strand<executor> strand;
  ex::concurrent_channel<void(boost::system::error_code)> wakeup;
  bool granted = false;                  // conn, or may_open, or neither when the pool closed
  std::unique_ptr<ConnectionImpl> conn;  // an idle connection handed over
  bool may_open = false;                 // a slot handed over: open a new connection in it
};

struct Pool::Grant {
  std::unique_ptr<ConnectionImpl> conn;
  bool may_open = false;
};

std::shared_ptr<Pool> Pool::create(executor ex, PoolOptions options) {
  if (options.max_size == 0) {
    throw std::invalid_argument("database pool: max_size must be at least 1");
  }
  std::string secret = conninfo_value(options.conninfo, "password");
  std::string session_options = session_settings(conninfo_value(options.conninfo, "options"), options);
  return std::shared_ptr<Pool>(
      new Pool(std::move(ex), std::move(options), std::move(secret), std::move(session_options)));
}

Pool::Pool(executor ex, PoolOptions options, std::string secret, std::string session_options)
    : executor_(std::move(ex)),
      options_(std::move(options)),
      secret_(std::move(secret)),
      session_options_(std::move(session_options)) {}

Pool::~Pool() {
  close();
}

awaitable<Connection> Pool::acquire() {
  auto self = shared_from_this();
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  // Leaves this block with an idle connection, or with a slot (size_ counted) to open one in.
  std::unique_ptr<ConnectionImpl> impl;
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      throw Error("database pool is closed", "");
    }
    if (!idle_.empty()) {
      // Most recently used first: it is the likeliest to be warm and alive.
      impl = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
    } else if (size_ < options_.max_size) {
      ++size_;
      ++in_use_;
    } else {
      // Queued under the same lock as the check, so a release cannot slip in between.
      waiter = std::make_shared<Waiter>(executor_);
      waiters_.push_back(waiter);
    }
  }
  if (waiter) {
    const auto strand = waiter->strand;
    Grant grant =
        co_await asio::co_spawn(strand, wait_for_grant(std::move(waiter), deadline), use_awaitable);
    impl = std::move(grant.conn);
  }
  if (impl && !impl->alive()) {
    // Died while idle (PostgreSQL restarted, idle timeout): open a fresh one in its slot.
    spdlog::info("database pool: discarding a connection the server closed");
    impl.reset();
  }
  if (impl) {
    co_return Connection(std::move(self), std::move(impl));
  }
  std::exception_ptr failure;
  try {
    impl = co_await ConnectionImpl::connect(
        executor_, options_.conninfo, secret_, session_options_,
        std::chrono::steady_clock::now() + options_.connect_timeout);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    release_slot();
    std::rethrow_exception(failure);
  }
  co_return Connection(std::move(self), std::move(impl));
}

awaitable<Pool::Grant> Pool::wait_for_grant(std::shared_ptr<Waiter> waiter,
                                            std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto [order, wakeup_ec, timer_ec] =
      co_await ex::make_parallel_group(waiter->wakeup.async_receive(asio::deferred),
                                       timer.async_wait(asio::deferred))
          .async_wait(ex::wait_for_one(), use_awaitable);
  Grant grant;
  bool granted = false;
  {
    std::lock_guard lock(mutex_);
    granted = waiter->granted;
    if (granted) {
      grant.conn = std::move(waiter->conn);
      grant.may_open = waiter->may_open;
    } else {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), waiter));
    }
  }
  const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
  const bool cancelled = cancellation.cancelled() != asio::cancellation_type::none;
  if (!granted) {
    if (order[0] == 1 && !timer_ec && !cancelled) {
      throw PoolTimeout();
    }
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  if (cancelled) {
    // Granted just as we were cancelled: pass it on instead of leaking the slot.
    if (grant.conn) {
      give_back(std::move(grant.conn));
    } else if (grant.may_open) {
      release_slot();
    }
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  if (!grant.conn && !grant.may_open) {
    throw Error("database pool is closed", "");
  }
  co_return grant;
}

void Pool::release(std::unique_ptr<ConnectionImpl> impl) {
  switch (impl->disposition()) {
    case ConnectionImpl::Disposition::reuse:
      give_back(std::move(impl));
      return;
    case ConnectionImpl::Disposition::roll_back: {
      bool closed = false;
      {
        std::lock_guard lock(mutex_);
        closed = closed_;
      }
      if (!closed) {
        // The lease ended inside a transaction; the ROLLBACK runs before anyone reuses it.
        asio::co_spawn(executor_, roll_back_and_release(shared_from_this(), std::move(impl)),
                       asio::detached);
        return;
      }
      break;
    }
    case ConnectionImpl::Disposition::discard:
      spdlog::info("database pool: discarding a broken connection");
      break;
  }
  impl.reset();
  release_slot();
}

awaitable<void> Pool::roll_back_and_release(std::shared_ptr<Pool> pool,
                                            std::unique_ptr<ConnectionImpl> impl) {
  try {
    co_await impl->execute("ROLLBACK");
  } catch (const std::exception& error) {
    // release() below sees the broken state and discards the connection.
    spdlog::warn("database pool: rollback of an abandoned transaction failed: {}", error.what());
  }
  pool->release(std::move(impl));
}

void Pool::give_back(std::unique_ptr<ConnectionImpl> impl) {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      --size_;
      --in_use_;
    } else if (!waiters_.empty()) {
      // Handed over directly: the lease count does not change.
      waiter = std::move(waiters_.front());
      waiters_.pop_front();
      waiter->granted = true;
      waiter->conn = std::move(impl);
    } else {
      idle_.push_back(std::move(impl));
      --in_use_;
    }
  }
  if (waiter) {
    waiter->wakeup.try_send(boost::system::error_code());
  }
  // A connection still owned here (pool closed) is closed outside the lock.
}

void Pool::release_slot() {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex_);
    if (!closed_ && !waiters_.empty()) {
      // The slot moves to the oldest waiter, which opens a new connection in it.
      waiter = std::move(waiters_.front());
      waiters_.pop_front();
      waiter->granted = true;
      waiter->may_open = true;
    } else {
      --size_;
      --in_use_;
    }
  }
  if (waiter) {
    waiter->wakeup.try_send(boost::system::error_code());
  }
}

awaitable<Transaction> Pool::begin(std::string_view begin_sql) {
  Connection conn = co_await acquire();
  co_return co_await Transaction::begin(std::move(conn), begin_sql);
}

awaitable<Result> Pool::query(const Statement& stmt, std::span<const Param> params) {
  Connection conn = co_await acquire();
  co_return co_await conn.query(stmt, params);
}

awaitable<bool> Pool::ping_once(std::shared_ptr<Pool> pool) {
  Connection conn = co_await pool->acquire();
  const Result result = co_await conn.query(kPing);
  co_return result.rows() == 1;
}

awaitable<bool> Pool::ping(std::chrono::milliseconds timeout) {
  // On a strand: see Pool::Waiter.
  co_return co_await asio::co_spawn(asio::make_strand(executor_), ping_until_timeout(timeout),
                                    use_awaitable);
}

awaitable<bool> Pool::ping_until_timeout(std::chrono::milliseconds timeout) {
  const executor current = co_await asio::this_coro::executor;
  asio::steady_timer timer(current, timeout);
  // Whatever the attempt is doing (waiting for a lease, connecting, querying) is cancelled when
  // the timer fires first, so a hung or absent server answers false within `timeout`.
  auto [order, failure, answered, timer_ec] =
      co_await ex::make_parallel_group(
          asio::co_spawn(current, ping_once(shared_from_this()), asio::deferred),
          timer.async_wait(asio::deferred))
          .async_wait(ex::wait_for_one(), use_awaitable);
  if (order[0] == 0 && !failure) {
    co_return answered;
  }
  if (order[0] == 0 && failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      spdlog::debug("database ping failed: {}", error.what());
    }
  }
  co_return false;
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{size_, in_use_, waiters_.size()};
}

void Pool::close() {
  std::vector<std::unique_ptr<ConnectionImpl>> idle;
  std::deque<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    idle.swap(idle_);
    waiters.swap(waiters_);
    size_ -= idle.size();
    for (const auto& waiter : waiters) {
      waiter->granted = true;
    }
  }
  for (const auto& waiter : waiters) {
    waiter->wakeup.try_send(boost::system::error_code());
  }
}

}  // namespace collabdev::db
