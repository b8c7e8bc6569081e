#pragma once
// Private to the db module: one non-blocking libpq connection driven by Asio socket readiness.
#include <libpq-fe.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "db/db.hpp"

namespace collabdev::db {

class ConnectionImpl {
 public:
  using Clock = std::chrono::steady_clock;
  using WaitType = asio::posix::stream_descriptor::wait_type;

  // What the pool must do with a connection handed back by a lease.
  enum class Disposition { reuse, roll_back, discard };

  // Opens a connection; throws db::Error (empty sqlstate) on failure or once `deadline` passes.
  // `secret` (the password) is scrubbed from any message; `options` (libpq's, command-line
  // switches for the server session) replaces the conninfo's when not empty.
  static awaitable<std::unique_ptr<ConnectionImpl>> connect(executor ex, const std::string& conninfo,
                                                            std::string_view secret,
                                                            const std::string& options,
                                                            Clock::time_point deadline);
  ~ConnectionImpl();
  ConnectionImpl(const ConnectionImpl&) = delete;
  ConnectionImpl& operator=(const ConnectionImpl&) = delete;

  awaitable<Result> query(const Statement& stmt, std::span<const Param> params);
  // Simple query protocol; returns the last result when the text holds several statements.
  awaitable<Result> execute(std::string_view sql);

  // Reads whatever arrived while the connection sat idle; false when the server has gone.
  bool alive();
  Disposition disposition() const;
  PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_); }

 private:
  ConnectionImpl(executor ex, PGconn* conn);
  void watch_socket();
  void unwatch_socket();
  awaitable<void> wait(WaitType type, std::optional<Clock::time_point> deadline);
  awaitable<void> wait_until(WaitType type, Clock::time_point deadline);
  awaitable<bool> wait_readable_or_writable();
  awaitable<void> flush();
  awaitable<Result> collect();
  Error connection_error(std::string_view what) const;

  PGconn* conn_;
  asio::posix::stream_descriptor socket_;
  std::unordered_map<std::string, std::string> prepared_;  // statement name -> its SQL
  // Set while a command is on the wire; still set afterwards means its results were not all read
  // (the coroutine was cancelled or the socket failed), so the connection cannot be reused.
  bool in_flight_ = false;
};

}  // namespace collabdev::db
