#include "bus/redis_connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <utility>
#include <vector>

namespace collabdev::bus {

namespace {
constexpr auto use_tuple = asio::as_tuple(use_awaitable);
}

RedisConnector::RedisConnector(executor strand, RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout), resolver_(strand), socket_(strand), timer_(strand) {}

void RedisConnector::cancel() {
  cancelled_ = true;
  abort();
}

void RedisConnector::abort() {
  resolver_.cancel();
  boost::system::error_code ignored;
  // Closing is how a pending connect/read is interrupted; a close error leaves nothing to undo.
  socket_.close(ignored);
}

awaitable<ConnectResult> RedisConnector::run() {
  auto self = shared_from_this();
  timer_.expires_after(timeout_);
  timer_.async_wait([self](boost::system::error_code ec) {
    if (!ec && !self->done_) {
      self->timed_out_ = true;
      self->abort();
    }
  });
  ConnectResult result = co_await attempt();
  done_ = true;
  timer_.cancel();
  if (!result.connection) {
    if (timed_out_) {
      result.error = "timed out after " + std::to_string(timeout_.count()) + " ms";
    } else if (cancelled_) {
      result.error = "cancelled";
    }
  }
  co_return result;
}

awaitable<boost::system::error_code> RedisConnector::connect_to(const asio::generic::stream_protocol::endpoint& ep) {
  boost::system::error_code ec;
  socket_.close(ec);
  socket_.open(ep.protocol(), ec);
  if (ec) {
    co_return ec;
  }
  auto [connect_ec] = co_await socket_.async_connect(ep, use_tuple);
  co_return connect_ec;
}

awaitable<ConnectResult> RedisConnector::attempt() {
  ConnectResult result;
  boost::system::error_code ec;
  if (endpoint_.is_unix()) {
    ec = co_await connect_to(asio::local::stream_protocol::endpoint(endpoint_.unix_path));
  } else {
    auto [resolve_ec, results] = co_await resolver_.async_resolve(endpoint_.host, endpoint_.port, use_tuple);
    if (resolve_ec) {
      result.error = "cannot resolve " + endpoint_.host + ": " + resolve_ec.message();
      co_return result;
    }
    ec = asio::error::host_not_found;
    for (const auto& entry : results) {
      ec = co_await connect_to(asio::generic::stream_protocol::endpoint(entry.endpoint()));
      if (!ec || timed_out_ || cancelled_) {
        break;
      }
    }
    if (!ec) {
      // Small pipelined commands must not wait for Nagle; keepalive finds a peer that vanished.
      socket_.set_option(asio::ip::tcp::no_delay(true), ec);
      if (!ec) {
        socket_.set_option(asio::socket_base::keep_alive(true), ec);
      }
    }
  }
  if (ec) {
    result.error = "connect: " + ec.message();
    co_return result;
  }
  RespReader reader;
  result.error = co_await handshake(reader);
  if (result.error.empty()) {
    result.connection.emplace(RedisConnection{std::move(socket_), std::move(reader)});
  }
  co_return result;
}

awaitable<std::string> RedisConnector::handshake(RespReader& reader) {
  std::string out;
  std::vector<std::string> names;
  if (!endpoint_.password.empty()) {
    if (endpoint_.username.empty()) {
      out += format_command({"AUTH", endpoint_.password});
    } else {
      out += format_command({"AUTH", endpoint_.username, endpoint_.password});
    }
    names.emplace_back("AUTH");
  }
  if (endpoint_.db != 0) {
    out += format_command({"SELECT", std::to_string(endpoint_.db)});
    names.emplace_back("SELECT");
  }
  if (names.empty()) {
    co_return std::string();
  }
  auto [write_ec, written] = co_await asio::async_write(socket_, asio::buffer(out), use_tuple);
  if (write_ec) {
    co_return "handshake write: " + write_ec.message();
  }
  std::array<char, 4096> buf;
  std::size_t answered = 0;
  while (answered < names.size()) {
    auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(buf), use_tuple);
    if (read_ec) {
      co_return "handshake read: " + read_ec.message();
    }
    if (!reader.feed(buf.data(), n)) {
      co_return "handshake: " + reader.error();
    }
    while (answered < names.size()) {
      auto reply = reader.next();
      if (!reply) {
        if (reader.broken()) {
          co_return "handshake: " + reader.error();
        }
        break;
      }
      if (reply->failed()) {
        co_return names[answered] + " failed: " + reply->str;
      }
      ++answered;
    }
  }
  co_return std::string();
}

}  // namespace collabdev::bus
