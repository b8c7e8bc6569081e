#pragma once
// Asynchronous PostgreSQL access: a bounded pool of non-blocking libpq connections driven by Asio.
// No thread blocks on a query; statements are named constants prepared once per connection.
#include <chrono>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/asio.hpp"

struct pg_result;

namespace collabdev::db {

// A SQL statement kept as a named constant; `name` must be unique in the process.
struct Statement {
  std::string_view name;
  std::string_view sql;
};

// A parameter in text format; an empty optional is SQL NULL.
class Param {
 public:
  Param() = default;
  Param(std::nullopt_t) {}
  Param(std::string v) : value_(std::move(v)) {}
  Param(std::string_view v) : value_(std::string(v)) {}
  Param(const char* v) : value_(std::string(v)) {}
  Param(std::int64_t v) : value_(std::to_string(v)) {}
  Param(int v) : value_(std::to_string(v)) {}
  Param(bool v) : value_(v ? "t" : "f") {}
  Param(double v);
  template <class T>
  Param(const std::optional<T>& v) {
    if (v) {
      *this = Param(*v);
    }
  }
  const std::optional<std::string>& value() const { return value_; }

 private:
  std::optional<std::string> value_;
};

// Owns a PGresult. Values are text; accessors by column name are resolved once per call.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res);
  int rows() const;
  int columns() const;
  int column(std::string_view name) const;  // throws std::out_of_range when absent
  bool is_null(int row, int col) const;
  std::string_view get(int row, int col) const;
  std::string_view get(int row, std::string_view col) const { return get(row, column(col)); }
  std::optional<std::string_view> get_optional(int row, std::string_view col) const;
  std::int64_t get_int(int row, std::string_view col) const;
  bool get_bool(int row, std::string_view col) const;
  std::int64_t affected_rows() const;  // from PQcmdTuples
  bool empty() const { return rows() == 0; }

 private:
  std::shared_ptr<pg_result> res_;
};

// A server-reported error (SQLSTATE kept) or a broken connection (sqlstate empty).
class Error : public std::runtime_error {
 public:
  Error(std::string message, std::string sqlstate)
      : std::runtime_error(std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  bool is_foreign_key_violation() const { return sqlstate_ == "23503"; }
  bool is_check_violation() const { return sqlstate_ == "23514"; }
  bool is_serialization_failure() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  // A session timeout fired: statement_timeout (57014 query_canceled), lock_timeout (55P03
  // lock_not_available) or idle_in_transaction_session_timeout (25P03).
  bool is_timeout() const { return sqlstate_ == "57014" || sqlstate_ == "55P03" || sqlstate_ == "25P03"; }

 private:
  std::string sqlstate_;
};

// No connection became free within the pool's acquire timeout (the HTTP layer answers 503).
class PoolTimeout : public std::runtime_error {
 public:
  PoolTimeout() : std::runtime_error("database pool: no connection available in time") {}
};

struct PoolOptions {
  std::string conninfo;                  // a libpq URL or key=value string
  std::size_t max_size = 16;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds connect_timeout{5000};
  // Session settings of every connection, so that one slow statement or a lock held elsewhere
  // cannot stall a request (and the project behind it) for longer than this. 0: no timeout.
  std::chrono::milliseconds statement_timeout{0};
  std::chrono::milliseconds lock_timeout{0};
  std::chrono::milliseconds idle_in_transaction_timeout{0};
};

class Pool;
class ConnectionImpl;

// One connection leased from the pool; returned to it when destroyed. A lease whose connection
// broke, or that is left inside a transaction, is rolled back or discarded by the pool.
class Connection {
 public:
  Connection() noexcept;  // defined where ConnectionImpl is complete (unique_ptr member)
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs a named statement (prepared on this connection the first time it is seen).
  awaitable<Result> query(const Statement& stmt, std::span<const Param> params = {});
  // query(stmt, a, b, ...): parameters are copied into the coroutine frame (g++ 12 miscompiles
  // braced initializer lists across co_await, so the API takes them as arguments instead).
  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_convertible_v<Args, std::span<const Param>> && ...)))
  awaitable<Result> query(const Statement& stmt, Args&&... args) {
    return query_owned(stmt, std::vector<Param>{Param(std::forward<Args>(args))...});
  }
  awaitable<Result> query_owned(const Statement& stmt, std::vector<Param> params) {
    co_return co_await query(stmt, std::span<const Param>(params));
  }
  // Runs SQL text without preparing it (simple query protocol; may hold several statements).
  awaitable<void> execute(std::string_view sql);

 private:
  friend class Pool;
  friend class Transaction;  // commit() must see whether the transaction already failed
  Connection(std::shared_ptr<Pool> pool, std::unique_ptr<ConnectionImpl> impl);
  std::shared_ptr<Pool> pool_;
  std::unique_ptr<ConnectionImpl> impl_;
};

// BEGIN on construction, COMMIT by commit(); a transaction not committed is rolled back.
class Transaction {
 public:
  static awaitable<Transaction> begin(Connection conn, std::string_view begin_sql = "BEGIN");
  awaitable<Result> query(const Statement& stmt, std::span<const Param> params = {}) {
    return conn_.query(stmt, params);
  }
  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_convertible_v<Args, std::span<const Param>> && ...)))
  awaitable<Result> query(const Statement& stmt, Args&&... args) {
    return conn_.query(stmt, std::forward<Args>(args)...);
  }
  awaitable<void> execute(std::string_view sql) { return conn_.execute(sql); }
  awaitable<void> commit();
  Connection& connection() { return conn_; }

 private:
  explicit Transaction(Connection conn) : conn_(std::move(conn)) {}
  Connection conn_;
};

struct PoolStats {
  std::size_t size = 0;     // open connections
  std::size_t in_use = 0;   // leased now
  std::size_t waiting = 0;  // coroutines waiting for a lease
};

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  static std::shared_ptr<Pool> create(executor ex, PoolOptions options);
  ~Pool();

  // Leases a connection: an idle one, a new one while under max_size, or waits up to
  // acquire_timeout (then throws PoolTimeout). Broken connections are replaced transparently.
  awaitable<Connection> acquire();
  awaitable<Transaction> begin(std::string_view begin_sql = "BEGIN");
  // Leases, runs one statement, returns the lease.
  awaitable<Result> query(const Statement& stmt, std::span<const Param> params = {});
  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_convertible_v<Args, std::span<const Param>> && ...)))
  awaitable<Result> query(const Statement& stmt, Args&&... args) {
    return query_owned(stmt, std::vector<Param>{Param(std::forward<Args>(args))...});
  }
  awaitable<Result> query_owned(const Statement& stmt, std::vector<Param> params) {
    co_return co_await query(stmt, std::span<const Param>(params));
  }
  // True when a connection answers `SELECT 1` within `timeout`.
  awaitable<bool> ping(std::chrono::milliseconds timeout);
  PoolStats stats() const;
  void close();  // closes idle connections and refuses new leases

 private:
  friend class Connection;  // a lease hands its connection back through release()
  struct Waiter;
  struct Grant;
  Pool(executor ex, PoolOptions options, std::string secret, std::string session_options);
  awaitable<Grant> wait_for_grant(std::shared_ptr<Waiter> waiter,
                                  std::chrono::steady_clock::time_point deadline);
  awaitable<bool> ping_until_timeout(std::chrono::milliseconds timeout);
  void release(std::unique_ptr<ConnectionImpl> impl);
  void give_back(std::unique_ptr<ConnectionImpl> impl);
  void release_slot();
  static awaitable<void> roll_back_and_release(std::shared_ptr<Pool> pool,
                                               std::unique_ptr<ConnectionImpl> impl);
  static awaitable<bool> ping_once(std::shared_ptr<Pool> pool);

  executor executor_;
  PoolOptions options_;
  std::string secret_;  // the conninfo password, scrubbed from error messages
  std::string session_options_;  // libpq `options`: the conninfo's own, then the timeouts
  mutable std::mutex mutex_;
  // Guarded by mutex_. size_ counts open and opening connections, in_use_ the leased ones among them.
  std::vector<std::unique_ptr<ConnectionImpl>> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  std::size_t size_ = 0;
  std::size_t in_use_ = 0;
  bool closed_ = false;
};

// Applies server/migrations/NNNN_name.sql in order, each in its own transaction, recorded in
// schema_migrations, under a PostgreSQL advisory lock so that concurrent migrators do not race.
struct MigrationReport {
  std::vector<std::string> applied;  // file names applied by this call
  std::size_t already = 0;           // already recorded before this call
};
awaitable<MigrationReport> migrate(Pool& pool, const std::string& migrations_dir);

}  // namespace collabdev::db
