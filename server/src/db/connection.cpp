// One libpq connection in non-blocking mode: every wait is an Asio readiness wait on its socket,
// so no thread ever blocks in libpq.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <vector>

#include "db/connection_impl.hpp"

namespace collabdev::db {

namespace {

namespace ex = asio::experimental;

std::string trim_message(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

std::string scrub(std::string message, std::string_view secret) {
  if (secret.empty()) {
    return message;
  }
  for (auto pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos)) {
    message.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return message;
}

void log_notice(void*, const char* message) {
  spdlog::debug("postgres: {}", trim_message(message));
}

[[noreturn]] void throw_cancelled() {
  throw boost::system::system_error(asio::error::operation_aborted);
}

}  // namespace

ConnectionImpl::ConnectionImpl(executor ex, PGconn* conn) : conn_(conn), socket_(std::move(ex)) {}

ConnectionImpl::~ConnectionImpl() {
  unwatch_socket();
  PQfinish(conn_);
}

// Asio watches a duplicate of libpq's socket, never libpq's own fd: libpq closes its fd by itself
// when the server goes away, and the number could then be reused by another socket before we
// deregister it. Our duplicate stays valid until we deregister and close it here.
void ConnectionImpl::watch_socket() {
  unwatch_socket();
  const int fd = PQsocket(conn_);
  if (fd < 0) {
    throw connection_error("database connection has no socket");
  }
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    throw Error(std::string("database connection: dup failed: ") + std::strerror(errno), "");
  }
  boost::system::error_code ec;
  socket_.assign(copy, ec);
  if (ec) {
    ::close(copy);
    throw Error("database connection: cannot watch socket: " + ec.message(), "");
  }
}

void ConnectionImpl::unwatch_socket() {
  if (socket_.is_open()) {
    // release() deregisters from the reactor while the fd is still ours, then we close it.
    const int fd = socket_.release();
    if (::close(fd) != 0) {
      spdlog::debug("database connection: close failed: {}", std::strerror(errno));
    }
  }
}

Error ConnectionImpl::connection_error(std::string_view what) const {
  std::string message(what);
  const std::string detail = trim_message(PQerrorMessage(conn_));
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  return Error(std::move(message), "");
}

awaitable<std::unique_ptr<ConnectionImpl>> ConnectionImpl::connect(executor ex,
                                                                   const std::string& conninfo,
                                                                   std::string_view secret,
                                                                   const std::string& options,
                                                                   Clock::time_point deadline) {
  // The server stores and speaks UTF-8 whatever the database's default encoding is. Keywords
  // after dbname override the conninfo's (an empty options is left out).
  const char* const keywords[] = {"dbname", "client_encoding", "fallback_application_name",
                                  options.empty() ? nullptr : "options", nullptr};
  const char* const values[] = {conninfo.c_str(), "UTF8", "collabdev", options.c_str(), nullptr};
  PGconn* raw = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) {
    throw Error("database connection: out of memory", "");
  }
  std::unique_ptr<ConnectionImpl> impl(new ConnectionImpl(std::move(ex), raw));
  PQsetNoticeProcessor(raw, log_notice, nullptr);
  auto failed = [&](std::string_view what) {
    return Error(scrub(impl->connection_error(what).what(), secret), "");
  };
  if (PQstatus(raw) == CONNECTION_BAD) {
    throw failed("database connection failed");
  }
  // The documented loop: start as if PQconnectPoll had asked to write, then do what it asks.
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
  while (polling != PGRES_POLLING_OK) {
    if (polling == PGRES_POLLING_FAILED) {
      throw failed("database connection failed");
    }
    if (polling == PGRES_POLLING_READING || polling == PGRES_POLLING_WRITING) {
      // libpq may switch to a new socket between attempts (several hosts or addresses).
      impl->watch_socket();
      const auto type = polling == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                                         : asio::posix::stream_descriptor::wait_write;
      co_await impl->wait(type, deadline);
    }
    polling = PQconnectPoll(raw);
  }
  if (PQsetnonblocking(raw, 1) != 0) {
    throw failed("database connection: cannot enter non-blocking mode");
  }
  impl->watch_socket();
  co_return impl;
}

awaitable<void> ConnectionImpl::wait(WaitType type, std::optional<Clock::time_point> deadline) {
  if (deadline) {
    // Boost 1.81's parallel_group registers its cancellation handler after starting the
    // operations, which may complete first on another thread: race them on a strand.
    co_await asio::co_spawn(asio::make_strand(socket_.get_executor()), wait_until(type, *deadline),
                            use_awaitable);
    co_return;
  }
  auto [ec] = co_await socket_.async_wait(type, asio::as_tuple(use_awaitable));
  if (ec == asio::error::operation_aborted) {
    throw_cancelled();
  }
  if (ec) {
    throw Error("database connection: socket wait failed: " + ec.message(), "");
  }
}

// Runs on a strand (see wait()).
awaitable<void> ConnectionImpl::wait_until(WaitType type, Clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto [order, socket_ec, timer_ec] =
      co_await ex::make_parallel_group(socket_.async_wait(type, asio::deferred),
                                       timer.async_wait(asio::deferred))
          .async_wait(ex::wait_for_one(), use_awaitable);
  if (order[0] == 1) {
    if (timer_ec) {
      throw_cancelled();
    }
    throw Error("database connection timed out", "");
  }
  if (socket_ec == asio::error::operation_aborted) {
    throw_cancelled();
  }
  if (socket_ec) {
    throw Error("database connection: socket wait failed: " + socket_ec.message(), "");
  }
}

// Runs on a strand (see wait()); true when the socket became readable first.
awaitable<bool> ConnectionImpl::wait_readable_or_writable() {
  auto [order, read_ec, write_ec] =
      co_await ex::make_parallel_group(
          socket_.async_wait(asio::posix::stream_descriptor::wait_read, asio::deferred),
          socket_.async_wait(asio::posix::stream_descriptor::wait_write, asio::deferred))
          .async_wait(ex::wait_for_one(), use_awaitable);
  const auto first_ec = order[0] == 0 ? read_ec : write_ec;
  if (first_ec == asio::error::operation_aborted) {
    throw_cancelled();
  }
  if (first_ec) {
    throw Error("database connection: socket wait failed: " + first_ec.message(), "");
  }
  co_return order[0] == 0;
}

awaitable<void> ConnectionImpl::flush() {
  while (true) {
    const int pending = PQflush(conn_);
    if (pending == 0) {
      co_return;
    }
    if (pending < 0) {
      throw connection_error("database connection: send failed");
    }
    // As documented for PQflush: wait for either readiness; reading input first avoids a
    // deadlock when the server is itself blocked sending to us.
    const bool readable = co_await asio::co_spawn(asio::make_strand(socket_.get_executor()),
                                                  wait_readable_or_writable(), use_awaitable);
    if (readable && PQconsumeInput(conn_) == 0) {
      throw connection_error("database connection: receive failed");
    }
  }
}

awaitable<Result> ConnectionImpl::collect() {
  Result last;
  std::optional<Error> failure;
  while (true) {
    while (PQisBusy(conn_) != 0) {
      co_await wait(asio::posix::stream_descriptor::wait_read, std::nullopt);
      if (PQconsumeInput(conn_) == 0) {
        throw connection_error("database connection: receive failed");
      }
    }
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) {
      break;
    }
    Result result(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_FATAL_ERROR:
      case PGRES_BAD_RESPONSE:
      case PGRES_NONFATAL_ERROR: {
        if (!failure) {
          const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
          failure.emplace(trim_message(PQresultErrorMessage(raw)), sqlstate ? sqlstate : "");
        }
        break;
      }
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        // Leaves in_flight_ set: the connection is mid-COPY and will be discarded.
        throw Error("database: COPY is not supported through this interface", "");
      default:
        last = std::move(result);
        break;
    }
  }
  in_flight_ = false;
  if (failure) {
    if (PQstatus(conn_) == CONNECTION_BAD) {
      // The server went away (e.g. 57P01 at shutdown): report it as a connection failure.
      throw Error(failure->what(), "");
    }
    throw *failure;
  }
  co_return last;
}

awaitable<Result> ConnectionImpl::query(const Statement& stmt, std::span<const Param> params) {
  if (in_flight_ || PQstatus(conn_) != CONNECTION_OK) {
    throw Error("database connection is broken", "");
  }
  if (params.size() > 65535) {
    throw std::invalid_argument("database: too many parameters");
  }
  const std::string name(stmt.name);
  const auto known = prepared_.find(name);
  if (known == prepared_.end()) {
    const std::string sql(stmt.sql);
    in_flight_ = true;
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) == 0) {
      throw connection_error("database: cannot send prepare");
    }
    co_await flush();
    co_await collect();
    prepared_.emplace(name, sql);
  } else if (known->second != stmt.sql) {
    throw std::logic_error("database: two statements share the name " + name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) {
    values.push_back(param.value() ? param.value()->c_str() : nullptr);
  }
  in_flight_ = true;
  if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                          nullptr, nullptr, 0) == 0) {
    throw connection_error("database: cannot send query");
  }
  co_await flush();
  co_return co_await collect();
}

awaitable<Result> ConnectionImpl::execute(std::string_view sql) {
  if (in_flight_ || PQstatus(conn_) != CONNECTION_OK) {
    throw Error("database connection is broken", "");
  }
  const std::string text(sql);
  in_flight_ = true;
  if (PQsendQuery(conn_, text.c_str()) == 0) {
    throw connection_error("database: cannot send query");
  }
  co_await flush();
  co_return co_await collect();
}

bool ConnectionImpl::alive() {
  if (in_flight_ || PQstatus(conn_) != CONNECTION_OK) {
    return false;
  }
  // A server that shut down sent an error and then EOF; reading until nothing is left makes
  // libpq notice both, so a dead idle connection is caught here instead of failing a query.
  for (int round = 0; round < 8; ++round) {
    const int fd = PQsocket(conn_);
    if (fd < 0) {
      return false;
    }
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, 0);
    if (ready < 0) {
      return errno == EINTR;
    }
    if (ready == 0) {
      break;
    }
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
      return false;
    }
  }
  while (PGnotify* notify = PQnotifies(conn_)) {
    PQfreemem(notify);
  }
  return PQstatus(conn_) == CONNECTION_OK && PQisBusy(conn_) == 0 &&
         PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

ConnectionImpl::Disposition ConnectionImpl::disposition() const {
  if (in_flight_ || PQstatus(conn_) != CONNECTION_OK) {
    return Disposition::discard;
  }
  switch (PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE:
      return Disposition::reuse;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
      return Disposition::roll_back;
    default:
      return Disposition::discard;
  }
}

// ---- Connection ----

Connection::Connection() noexcept = default;

Connection::Connection(std::shared_ptr<Pool> pool, std::unique_ptr<ConnectionImpl> impl)
    : pool_(std::move(pool)), impl_(std::move(impl)) {}

Connection::Connection(Connection&& other) noexcept
    : pool_(std::move(other.pool_)), impl_(std::move(other.impl_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (pool_ && impl_) {
      pool_->release(std::move(impl_));
    }
    pool_ = std::move(other.pool_);
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Connection::~Connection() {
  if (pool_ && impl_) {
    pool_->release(std::move(impl_));
  }
}

awaitable<Result> Connection::query(const Statement& stmt, std::span<const Param> params) {
  if (!impl_) {
    throw std::logic_error("database: query on an empty Connection");
  }
  co_return co_await impl_->query(stmt, params);
}

awaitable<void> Connection::execute(std::string_view sql) {
  if (!impl_) {
    throw std::logic_error("database: execute on an empty Connection");
  }
  co_await impl_->execute(sql);
}

// ---- Transaction ----

awaitable<Transaction> Transaction::begin(Connection conn, std::string_view begin_sql) {
  co_await conn.execute(begin_sql);
  co_return Transaction(std::move(conn));
}

awaitable<void> Transaction::commit() {
  if (!conn_.impl_) {
    throw std::logic_error("database: commit on an empty Transaction");
  }
  // COMMIT of a failed transaction silently rolls back; a caller that swallowed the first error
  // must not believe its writes were kept.
  if (conn_.impl_->transaction_status() == PQTRANS_INERROR) {
    co_await conn_.execute("ROLLBACK");
    throw Error("database: transaction had failed and was rolled back instead of committed",
                "25P02");
  }
  co_await conn_.execute("COMMIT");
}

}  // namespace collabdev::db
