#include "publishers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <iostream>

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string make_content(std::int64_t ns, std::size_t bytes) {
  char head[40];
  const int n = std::snprintf(head, sizeof head, "bench:%020lld:", static_cast<long long>(ns));
  std::string s(head, static_cast<std::size_t>(n));
  if (s.size() < bytes) {
    s.append(bytes - s.size(), 'x');
  }
  return s;
}

namespace {

std::string project_of(const std::string& room) {
  const auto colon = room.find(':');
  return colon == std::string::npos ? room : room.substr(colon + 1);
}

}  // namespace

struct Publisher::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, PublishOptions o, Counters& c)
      : io(io), options(std::move(o)), counters(c), ticker(io), bell(io) {
    bell.expires_at(asio::steady_timer::time_point::max());
  }

  asio::io_context& io;
  PublishOptions options;
  Counters& counters;
  asio::steady_timer ticker;
  asio::steady_timer bell;  // cancelled when publishes become due; idle workers wait on it
  double rate = 0;
  std::chrono::steady_clock::time_point rate_since;
  std::uint64_t released_since = 0;  // publishes released since rate_since
  std::atomic<std::uint64_t> pending{0};
  std::atomic<std::uint64_t> dropped{0};
  std::uint64_t next_room = 0;

  const std::string& room() { return options.rooms[next_room++ % options.rooms.size()]; }

  awaitable<void> tick_loop() {
    auto self = shared_from_this();
    for (;;) {
      ticker.expires_after(std::chrono::microseconds(500));
      auto [ec] = co_await ticker.async_wait(use_tuple);
      if (ec) {
        co_return;
      }
      if (rate <= 0) {
        continue;
      }
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - rate_since).count();
      const auto due = static_cast<std::uint64_t>(elapsed * rate);
      if (due > released_since) {
        const auto fresh = due - released_since;
        released_since = due;
        // A publisher more than a second behind drops the excess: the step reports it as such.
        const auto cap = static_cast<std::uint64_t>(rate) + 1;
        auto now_pending = pending.load() + fresh;
        if (now_pending > cap) {
          dropped += now_pending - cap;
          now_pending = cap;
        }
        pending = now_pending;
        bell.cancel();
      }
    }
  }

  awaitable<bool> take() {
    while (pending.load() == 0) {
      co_await bell.async_wait(use_tuple);  // cancel() wakes every waiter; the expiry stays at max
    }
    --pending;
    co_return true;
  }

  http::request<http::string_body> http_request() {
    const auto& r = room();
    const auto content = make_content(now_ns(), options.message_bytes);
    http::request<http::string_body> req;
    req.method(http::verb::post);
    req.version(11);
    req.set(http::field::host, options.endpoint.host + ":" + std::to_string(options.endpoint.port));
    req.set(http::field::content_type, "application/json");
    if (options.kind == PublishKind::collabdev_http) {
      req.target("/api/v1/projects/" + project_of(r) + "/messages");
      req.set(http::field::authorization, options.auth);
      req.body() = R"({"content":")" + content + R"("})";
    } else {
      req.target("/api/publish");
      req.set("X-API-Key", options.auth);
      req.body() = R"({"channel":")" + r + R"(","data":{"content":")" + content + R"("}})";
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  awaitable<void> http_worker() {
    auto self = shared_from_this();
    const tcp::endpoint ep(asio::ip::make_address(options.endpoint.host), options.endpoint.port);
    for (;;) {
      beast::tcp_stream stream(io);
      auto [cec] = co_await stream.async_connect(ep, use_tuple);
      if (cec) {
        asio::steady_timer t(io, std::chrono::milliseconds(200));
        co_await t.async_wait(use_tuple);
        continue;
      }
      stream.socket().set_option(tcp::no_delay(true));
      beast::flat_buffer buffer;
      for (;;) {
        co_await take();
        auto req = http_request();
        ++counters.published;
        stream.expires_after(std::chrono::seconds(10));
        auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
        http::response<http::string_body> res;
        boost::system::error_code rec;
        if (!wec) {
          auto [ec2, rn] = co_await http::async_read(stream, buffer, res, use_tuple);
          rec = ec2;
        }
        if (wec || rec) {
          ++counters.publish_err;
          break;
        }
        if (res.result_int() >= 300) {
          static std::atomic<int> reported{0};
          if (reported++ < 3) {
            std::cerr << "loadgen: publish answered " << res.result_int() << ": " << res.body().substr(0, 200) << "\n";
          }
          ++counters.publish_err;
        } else {
          ++counters.publish_ok;
        }
        if (!res.keep_alive()) {
          break;
        }
      }
    }
  }

  static void append_bulk(std::string& out, std::string_view s) {
    out += '$';
    out += std::to_string(s.size());
    out += "\r\n";
    out += s;
    out += "\r\n";
  }

  awaitable<void> redis_worker() {
    auto self = shared_from_this();
    tcp::socket socket(io);
    co_await socket.async_connect(tcp::endpoint(asio::ip::make_address(options.endpoint.host), options.endpoint.port),
                                  asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    // Replies (the number of receivers) are read and discarded by a second coroutine.
    asio::co_spawn(io, [&socket, self]() -> awaitable<void> {
      std::array<char, 65536> sink;
      for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) {
          co_return;
        }
        // Each reply is ":<n>\r\n".
        for (std::size_t i = 0; i < n; ++i) {
          if (sink[i] == ':') {
            ++self->counters.publish_ok;
          }
        }
      }
    }, asio::detached);
    std::string batch;
    for (;;) {
      co_await take();
      std::uint64_t n = 1 + std::min<std::uint64_t>(pending.exchange(0), 999);
      batch.clear();
      for (std::uint64_t i = 0; i < n; ++i) {
        const auto& r = room();
        const std::string channel = "ws:" + r + ":chat";
        const std::string payload = R"({"type":"message.created","room":")" + r + R"(","data":{"content":")" +
                                    make_content(now_ns(), options.message_bytes) + R"("}})";
        batch += "*3\r\n$7\r\nPUBLISH\r\n";
        append_bulk(batch, channel);
        append_bulk(batch, payload);
      }
      counters.published += n;
      auto [ec, w] = co_await asio::async_write(socket, asio::buffer(batch), use_tuple);
      if (ec) {
        counters.publish_err += n;
        co_return;
      }
    }
  }
};

Publisher::Publisher(asio::io_context& io, PublishOptions options, Counters& counters)
    : impl_(std::make_shared<Impl>(io, std::move(options), counters)) {}

Publisher::~Publisher() = default;

void Publisher::start() {
  asio::co_spawn(impl_->io, impl_->tick_loop(), asio::detached);
  if (impl_->options.kind == PublishKind::redis) {
    asio::co_spawn(impl_->io, impl_->redis_worker(), asio::detached);
  } else {
    for (std::size_t i = 0; i < impl_->options.connections; ++i) {
      asio::co_spawn(impl_->io, impl_->http_worker(), asio::detached);
    }
  }
}

void Publisher::set_rate(double per_second) {
  asio::post(impl_->io, [impl = impl_, per_second] {
    impl->rate = per_second;
    impl->rate_since = std::chrono::steady_clock::now();
    impl->released_since = 0;
    if (per_second <= 0) {
      impl->pending = 0;
    }
  });
}

std::uint64_t Publisher::backlog() const { return impl_->pending.load(); }
std::uint64_t Publisher::dropped() const { return impl_->dropped.load(); }

}  // namespace loadgen
