#include "clients.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <charconv>
#include <iostream>
#include <stdexcept>

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

Endpoint parse_endpoint(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    throw std::invalid_argument("not a URL: " + url);
  }
  const auto rest = url.substr(scheme + 3);
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("URL without a port: " + url);
  }
  Endpoint e;
  e.host = authority.substr(0, colon);
  e.port = static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
  e.path = slash == std::string::npos ? "/" : rest.substr(slash);
  return e;
}

std::size_t count_publications(std::string_view frame, Latencies& latencies) {
  static constexpr std::string_view marker = "bench:";
  std::size_t n = 0;
  std::int64_t now = 0;
  for (auto at = frame.find(marker); at != std::string_view::npos; at = frame.find(marker, at + 1)) {
    const char* digits = frame.data() + at + marker.size();
    if (at + marker.size() + 20 > frame.size()) {
      break;
    }
    std::int64_t sent = 0;
    auto r = std::from_chars(digits, digits + 20, sent);
    if (r.ec != std::errc{}) {
      continue;
    }
    if (now == 0) {
      now = now_ns();
    }
    latencies.record((now - sent) / 1000);
    ++n;
  }
  return n;
}

struct ClientPool::State {
  std::atomic<std::size_t> in_flight{0};  // handshakes under way
};

namespace {

bool is_ping(std::string_view frame) {
  // Centrifugo's JSON protocol pings with an empty object, alone or as one line of a batch.
  return frame == "{}" || frame.starts_with("{}\n") || frame.find("\n{}\n") != std::string_view::npos ||
         frame.ends_with("\n{}");
}

std::string collabdev_auth(const std::string& token) {
  return R"({"type":"auth","id":"1","data":{"token":")" + token + R"("}})";
}
std::string collabdev_subscribe(const std::string& room) {
  return R"({"type":"subscribe","id":"2","room":")" + room + R"("})";
}
std::string centrifugo_connect(const std::string& token) {
  return R"({"id":1,"connect":{"token":")" + token + R"(","name":"loadgen"}})";
}
std::string centrifugo_subscribe(const std::string& channel) {
  return R"({"id":2,"subscribe":{"channel":")" + channel + R"("}})";
}

std::string_view text_of(const beast::flat_buffer& b) {
  const auto d = b.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

// Reads frames until one answers request `id_marker`; returns false on an error answer. A frame
// may hold several envelopes, one per line (e.g. CollabDev+'s `ack` and `ready` together).
awaitable<bool> await_reply(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& buffer,
                            std::string_view id_marker, Latencies& latencies, Counters& counters) {
  for (int i = 0; i < 64; ++i) {
    buffer.consume(buffer.size());
    co_await ws.async_read(buffer, asio::use_awaitable);
    const auto text = text_of(buffer);
    counters.frames += 1;
    if (text.find('\n') != std::string_view::npos) {
      counters.batched_frames += 1;
    }
    counters.delivered += count_publications(text, latencies);
    for (std::size_t at = 0; at <= text.size();) {
      auto end = text.find('\n', at);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      const auto line = text.substr(at, end - at);
      if (line.find(id_marker) != std::string_view::npos) {
        co_return line.find("\"error\"") == std::string_view::npos;
      }
      at = end + 1;
    }
  }
  co_return false;
}

awaitable<void> run_client(std::shared_ptr<ClientPool::State> state, const ClientOptions& options,
                           std::size_t index, Counters& counters, Latencies& latencies) {
  const auto& endpoint = options.endpoints[index % options.endpoints.size()];
  const auto& room = options.rooms[(index / options.per_room) % options.rooms.size()];
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer pause(ex);
  for (int attempt = 0;; ++attempt) {
    // Bounded handshakes in flight, so that thousands of clients do not all knock at once.
    while (state->in_flight.load() >= options.max_handshakes) {
      pause.expires_after(std::chrono::milliseconds(2));
      co_await pause.async_wait(use_tuple);
    }
    ++state->in_flight;
    bool subscribed = false;
    bool handshaking = true;
    try {
      websocket::stream<beast::tcp_stream> ws(ex);
      auto& lowest = beast::get_lowest_layer(ws);
      lowest.expires_after(std::chrono::seconds(30));
      co_await lowest.async_connect(
          tcp::endpoint(asio::ip::make_address(endpoint.host), endpoint.port), asio::use_awaitable);
      lowest.socket().set_option(tcp::no_delay(true));
      co_await ws.async_handshake(endpoint.host + ":" + std::to_string(endpoint.port), endpoint.path,
                                  asio::use_awaitable);
      ws.text(true);
      beast::flat_buffer buffer;
      bool ok = false;
      if (options.protocol == Protocol::collabdev) {
        co_await ws.async_write(asio::buffer(collabdev_auth(options.token)), asio::use_awaitable);
        co_await ws.async_write(asio::buffer(collabdev_subscribe(room)), asio::use_awaitable);
        ok = co_await await_reply(ws, buffer, R"("id":"2")", latencies, counters);
      } else {
        co_await ws.async_write(asio::buffer(centrifugo_connect(options.token)), asio::use_awaitable);
        ok = co_await await_reply(ws, buffer, R"("id":1)", latencies, counters);
        if (ok) {
          co_await ws.async_write(asio::buffer(centrifugo_subscribe(room)), asio::use_awaitable);
          ok = co_await await_reply(ws, buffer, R"("id":2)", latencies, counters);
        }
      }
      if (!ok) {
        throw std::runtime_error("refused: " + std::string(text_of(buffer).substr(0, 200)));
      }
      lowest.expires_never();
      --state->in_flight;
      handshaking = false;
      subscribed = true;
      ++counters.connected;
      ++counters.connects;
      for (;;) {
        buffer.consume(buffer.size());
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
          break;
        }
        const auto text = text_of(buffer);
        // A frame of several envelopes holds one per line; each publication is counted on its own.
        counters.delivered.fetch_add(count_publications(text, latencies), std::memory_order_relaxed);
        counters.frames.fetch_add(1, std::memory_order_relaxed);
        if (text.find('\n') != std::string_view::npos) {
          counters.batched_frames.fetch_add(1, std::memory_order_relaxed);
        }
        if (options.protocol == Protocol::centrifugo && is_ping(text)) {
          co_await ws.async_write(asio::buffer(std::string_view("{}")), asio::use_awaitable);
        }
      }
    } catch (const std::exception& e) {
      if (!subscribed && attempt < 3) {
        static std::atomic<int> reported{0};
        if (reported++ < 5) {
          std::cerr << "loadgen: client " << index << ": " << e.what() << "\n";
        }
      }
    }
    if (handshaking) {
      --state->in_flight;
    }
    if (subscribed) {
      --counters.connected;
      ++counters.closed;
    } else {
      ++counters.failures;
    }
    if (!options.reconnect || attempt >= 1000) {
      co_return;
    }
    pause.expires_after(std::chrono::milliseconds(subscribed ? 100 : 500));
    co_await pause.async_wait(use_tuple);
  }
}

}  // namespace

ClientPool::ClientPool(asio::io_context& io, ClientOptions options, Counters& counters, Latencies& latencies)
    : io_(io), options_(std::move(options)), counters_(counters), latencies_(latencies),
      state_(std::make_shared<State>()) {}

void ClientPool::start() {
  for (std::size_t i = 0; i < size(); ++i) {
    asio::co_spawn(io_, run_client(state_, options_, i, counters_, latencies_), asio::detached);
  }
}

}  // namespace loadgen
