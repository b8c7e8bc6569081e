#include "realtime/connection.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "http/security_headers.hpp"
#include "realtime/node.hpp"
#include "realtime/protocol.hpp"

namespace collabdev::realtime {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// A frame of several envelopes stays under the frame limit clients are likely to set, and a
// write of it under the gather limit of one system call.
constexpr std::size_t max_frame_bytes = 64 * 1024;
constexpr std::size_t max_frame_envelopes = 256;

websocket::close_reason reason(std::uint16_t code, std::string_view text) {
  websocket::close_reason r(code);
  r.reason.assign(text.data(), std::min<std::size_t>(text.size(), r.reason.max_size()));
  return r;
}

struct Handshake {
  http::BeastRequest req;
  http::Request info;
};

class Connection final : public Client {
 public:
  Connection(asio::ip::tcp::socket socket, std::shared_ptr<Node> n)
      : ws_(std::move(socket)), node_(std::move(n)),
        last_refill_(std::chrono::steady_clock::now()), tokens_(node_->options.message_burst) {}

  executor strand() override { return ws_.get_executor(); }

  // Safe from any thread: fan-out needs no hop to this connection's strand.
  void send(Payload p) override {
    bool start_writer = false;
    bool overflow = false;
    {
      std::lock_guard lock(send_mutex_);
      if (closing_) {
        return;
      }
      if (queue_.size() >= node_->options.send_queue_messages ||
          queued_bytes_ + p->size() > node_->options.send_queue_bytes) {
        queue_.clear();
        queued_bytes_ = 0;
        closing_ = true;
        dropped_ = true;
        pending_close_ = std::make_unique<websocket::close_reason>(reason(close_code::slow_consumer, "slow consumer"));
        overflow = true;
      } else {
        queued_bytes_ += p->size();
        queue_.push_back(std::move(p));
      }
      start_writer = !writing_;
      writing_ = true;
    }
    if (overflow) {
      // A peer that reads nothing never lets the close frame through: drop it after a grace period.
      asio::post(strand(), [self = self()] { self->force_close_after(std::chrono::seconds(5)); });
    }
    if (start_writer) {
      start_writer_later();
    }
  }

  // Safe from any thread.
  void close(std::uint16_t code, std::string_view why) override {
    bool start_writer = false;
    {
      std::lock_guard lock(send_mutex_);
      if (closing_) {
        return;
      }
      closing_ = true;
      pending_close_ = std::make_unique<websocket::close_reason>(reason(code, why));
      start_writer = !writing_;
      writing_ = true;
    }
    if (start_writer) {
      start_writer_later();
    }
  }

  void going_away() override {
    close(close_code::going_away, "server shutting down");
    force_close_after(std::chrono::seconds(3));
  }

  // Answers HTTP 503 instead of upgrading: a connection cap is reached.
  static awaitable<void> refuse(std::shared_ptr<Connection> self, http::BeastRequest req) {
    namespace bhttp = beast::http;
    bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, req.version()};
    res.set(bhttp::field::server, "collabdev");
    res.set(bhttp::field::content_type, "application/problem+json");
    res.set(bhttp::field::retry_after, "10");
    res.body() = R"({"type":"about:blank","title":"Too many connections.","status":503})";
    res.keep_alive(false);
    res.prepare_payload();
    beast::tcp_stream stream(std::move(self->ws_.next_layer()));  // for its write deadline
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, res, use_tuple);
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream.close();
  }

  // The handshake (a coroutine), then the reads: an idle connection waits with a plain completion
  // handler, and a coroutine runs only while a message is handled. (Coroutine frames waiting on
  // every idle socket, the spawned one and the read's, cost about 1.2 KiB each.)
  static void run(const std::shared_ptr<Connection>& conn, std::unique_ptr<Handshake> hs) {
    asio::co_spawn(conn->strand(), conn->handshake(std::move(hs)), [conn](std::exception_ptr e, bool accepted) {
      if (e || !accepted) {
        log_failure(e);
        conn->finish();
        return;
      }
      read_next(conn);
    });
  }

  // Waits for the next frame; its first bytes land in `chunk_`. On the strand (the socket's executor).
  static void read_next(std::shared_ptr<Connection> conn) {
    auto& ws = conn->ws_;
    const auto buffer = asio::buffer(conn->chunk_);  // before `conn` moves into the handler
    ws.async_read_some(buffer, [conn = std::move(conn)](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        conn->finish();  // an oversize frame: Beast has sent the 1009 close frame and torn down
        return;
      }
      asio::co_spawn(conn->strand(), conn->on_message(n), [conn](std::exception_ptr e, bool more) {
        log_failure(e);
        if (e || !more) {
          conn->finish();
          return;
        }
        read_next(conn);
      });
    });
  }

  static void log_failure(const std::exception_ptr& e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::warn("websocket connection failed: {}", ex.what());
      }
    }
  }

  // Whatever way the connection ended: out of every room and out of the registry.
  void finish() {
    {
      std::lock_guard lock(send_mutex_);
      closing_ = true;
    }
    auth_timer_.reset();  // cancels it
    auto self_ptr = self();
    for (const auto& room : rooms) {
      node_->rooms->leave(room, self_ptr);
    }
    rooms.clear();
    node_->forget(self_ptr);
  }

 private:
  std::shared_ptr<Connection> self() { return std::static_pointer_cast<Connection>(shared_from_this()); }

  // Posted, never run inline: what the current handler queues after this (an `ack` and the
  // `ready` after it, or the rest of a burst) goes out in the same frame.
  void start_writer_later() {
    asio::post(strand(), [self = self()] { asio::co_spawn(self->strand(), write_loop(self), asio::detached); });
  }

  // Its own coroutine so that the upgrade request's headers are freed once it is done.
  awaitable<bool> handshake(std::unique_ptr<Handshake> hs) {
    const auto& req = hs->req;
    const auto& info = hs->info;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = node_->options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(node_->options.max_frame);
    ws_.auto_fragment(false);  // a frame of several envelopes goes out in one write
    // The handshake response carries the security headers of every HTTP response.
    ws_.set_option(websocket::stream_base::decorator(
        [headers = http::security_headers(info.header("host"))](websocket::response_type& res) {
          res.set(beast::http::field::server, "collabdev");
          for (const auto& [name, value] : headers) {
            res.set(name, value);
          }
        }));
    auto [aec] = co_await ws_.async_accept(req, use_tuple);
    // Drop the headers' copy: an idle connection keeps nothing of its handshake.
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));
    if (aec) {
      co_return false;
    }
    start_auth_timer();

    // A cookie authenticates only a same-site upgrade (cross-site WebSocket hijacking).
    if (auto cookie = info.cookie("collabdev_session")) {
      const auto origin = info.header("origin");
      bool same_site = origin.empty();
      if (!same_site) {
        auto u = boost::urls::parse_uri(origin);
        same_site = u && u->has_authority() && u->encoded_host_and_port() == info.header("host");
        for (const auto& allowed : node_->options.allowed_origins) {
          same_site = same_site || origin == allowed;
        }
      }
      if (same_site) {
        co_await authenticate_cookie(*node_, self(), std::move(*cookie));
      }
    }
    if (!user_id.empty()) {
      auth_timer_.reset();
    }
    co_return true;
  }

  // Pings keep a connection open, not an unauthenticated one.
  void start_auth_timer() {
    auth_timer_ = std::make_unique<asio::steady_timer>(strand(), node_->options.auth_timeout);
    auth_timer_->async_wait([weak = std::weak_ptr<Client>(self())](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!ec && self && self->user_id.empty()) {
        self->close(close_code::unauthenticated, "authentication timeout");
      }
    });
  }

  // One message, whose first `n` bytes are in `chunk_`: the rest is read straight into the string
  // that carries it (an idle connection holds no read buffer but `chunk_`), then it is handled.
  // False when the connection is done.
  awaitable<bool> on_message(std::size_t n) {
    std::string text(chunk_.data(), n);
    while (!ws_.is_message_done()) {
      const std::size_t have = text.size();
      text.resize(have + std::max<std::size_t>(have, chunk_.size()));
      auto [ec, m] = co_await ws_.async_read_some(asio::buffer(text.data() + have, text.size() - have), use_tuple);
      text.resize(have + m);
      if (ec) {
        co_return false;
      }
    }
    if (is_closing()) {
      co_return true;  // read on, so that the closing handshake completes
    }
    if (!take_token()) {
      strikes_ += 1;
      if (strikes_ > node_->options.rate_strikes) {
        close(close_code::rate_limited, "too many messages");
      } else {
        send(error_envelope(request_id_of(text), "rate_limited", "too many messages; slow down"));
      }
      co_return true;
    }
    if (!ws_.got_text()) {
      send(error_envelope(nullptr, "bad_message", "send JSON text frames"));
      co_return true;
    }
    co_await handle_message(*node_, self(), std::move(text));
    if (auth_timer_ && !user_id.empty()) {
      auth_timer_.reset();
    }
    co_return true;
  }

  bool is_closing() {
    std::lock_guard lock(send_mutex_);
    return closing_;
  }

  // A token bucket; refused messages are strikes, which drain at the allowed rate so that a
  // client that was briefly too fast is not closed long after.
  bool take_token() {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    last_refill_ = now;
    const double rate = node_->options.messages_per_second;
    tokens_ = std::min(node_->options.message_burst, tokens_ + elapsed * rate);
    strikes_ = std::max(0.0, strikes_ - elapsed * rate);
    if (tokens_ < 1) {
      return false;
    }
    tokens_ -= 1;
    return true;
  }

  static awaitable<void> write_loop(std::shared_ptr<Connection> self) {
    std::unique_ptr<websocket::close_reason> close_with;
    std::vector<Payload> batch;
    std::string joined;  // the frame of several envelopes
    for (;;) {
      {
        std::lock_guard lock(self->send_mutex_);
        if (self->queue_.empty() || self->dropped_) {
          close_with = std::move(self->pending_close_);
          if (!close_with) {
            self->writing_ = false;
          }
          // An idle connection keeps no buffer of a past burst.
          if (self->queue_.capacity() > 16) {
            std::vector<Payload>().swap(self->queue_);
          }
          break;
        }
        batch.swap(self->queue_);
      }
      // Several queued envelopes go out in one frame, one per line (docs/websocket.md): one
      // write and one system call for a burst. A lone envelope is written as it is, shared.
      for (std::size_t at = 0; at < batch.size();) {
        std::size_t end = at + 1;
        std::size_t bytes = batch[at]->size();
        while (end < batch.size() && end - at < max_frame_envelopes &&
               bytes + 1 + batch[end]->size() <= max_frame_bytes) {
          bytes += 1 + batch[end]->size();
          ++end;
        }
        asio::const_buffer frame(batch[at]->data(), batch[at]->size());
        if (end - at > 1) {
          joined.clear();
          joined.reserve(bytes);
          for (std::size_t i = at; i < end; ++i) {
            if (i != at) {
              joined.push_back('\n');
            }
            joined.append(*batch[i]);
          }
          frame = asio::buffer(joined);
        }
        self->ws_.text(true);
        auto [ec, n] = co_await self->ws_.async_write(frame, use_tuple);
        std::lock_guard lock(self->send_mutex_);
        if (ec) {
          self->queue_.clear();
          self->queued_bytes_ = 0;
          self->closing_ = true;
          self->writing_ = false;
          co_return;
        }
        if (self->dropped_) {
          break;
        }
        self->queued_bytes_ -= bytes - (end - at - 1);  // the newlines were never counted
        at = end;
      }
      batch.clear();
      if (joined.capacity() > 4096) {
        std::string().swap(joined);  // an idle connection keeps no buffer of a past burst
      }
    }
    if (close_with) {
      auto [ec] = co_await self->ws_.async_close(*close_with, use_tuple);
      if (ec) {
        beast::get_lowest_layer(self->ws_).close();
      }
      std::lock_guard lock(self->send_mutex_);
      self->writing_ = false;
    }
  }

  void force_close_after(std::chrono::seconds grace) {
    if (force_close_timer_) {
      return;
    }
    force_close_timer_ = std::make_unique<asio::steady_timer>(strand(), grace);
    force_close_timer_->async_wait([self = self()](boost::system::error_code ec) {
      if (!ec) {
        beast::get_lowest_layer(self->ws_).close();
      }
    });
  }

  // Over the bare socket: the websocket keeps its own deadlines (handshake, idle), and a
  // beast::tcp_stream below it cost every idle connection another 0.5 KiB (its timers) and a
  // larger pending read.
  websocket::stream<asio::ip::tcp::socket> ws_;
  std::shared_ptr<Node> node_;
  // Until authenticated; an authenticated connection holds no timer.
  std::unique_ptr<asio::steady_timer> auth_timer_;
  // The send queue is filled from any thread; the writer, on the strand, drains it. One write
  // in flight at a time.
  std::mutex send_mutex_;
  std::vector<Payload> queue_;  // taken whole by the writer, so a burst costs one lock
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool dropped_ = false;  // the queue overflowed: what is still queued is never sent
  bool closing_ = false;
  std::unique_ptr<websocket::close_reason> pending_close_;  // rare: not inline in every connection
  std::unique_ptr<asio::steady_timer> force_close_timer_;  // only for connections being dropped
  // Strand-only.
  std::array<char, 128> chunk_;  // the first bytes of the next message
  std::chrono::steady_clock::time_point last_refill_;
  double tokens_;
  double strikes_ = 0;
};

}  // namespace

void serve_connection(std::shared_ptr<Node> node, beast::tcp_stream stream, http::BeastRequest req,
                      http::Request info) {
  stream.expires_never();
  auto conn = std::make_shared<Connection>(stream.release_socket(), node);
  conn->address = info.client_address;
  const auto ex = conn->strand();
  if (!node->admit(conn)) {
    spdlog::debug("websocket refused: connection cap reached ({})", conn->address);
    asio::co_spawn(ex, Connection::refuse(conn, std::move(req)), asio::detached);
    return;
  }
  Connection::run(conn, std::make_unique<Handshake>(Handshake{std::move(req), std::move(info)}));
}

}  // namespace collabdev::realtime
