#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/security_headers.hpp"
#include "http/static_files.hpp"

namespace collabdev::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::GET;
    case bhttp::verb::head: return Method::HEAD;
    case bhttp::verb::post: return Method::POST;
    case bhttp::verb::put: return Method::PUT;
    case bhttp::verb::patch: return Method::PATCH;
    case bhttp::verb::delete_: return Method::DELETE_;
    case bhttp::verb::options: return Method::OPTIONS;
    default: return Method::OTHER;
  }
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// RFC 6455 4.2.1: what a server must check before it answers 101.
std::optional<Problem> handshake_refusal(const BeastRequest& req) {
  if (req.method() != bhttp::verb::get || req.version() < 11) {
    return problems::bad_request("A WebSocket handshake is a GET over HTTP/1.1.");
  }
  const auto key = req[bhttp::field::sec_websocket_key];
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') {
    return problems::bad_request("The WebSocket handshake needs a Sec-WebSocket-Key of 16 bytes in base64.");
  }
  if (req[bhttp::field::sec_websocket_version] != "13") {
    auto p = problems::make(426, "upgrade-required", "WebSocket version 13 is required.");
    p.headers.emplace_back("Sec-WebSocket-Version", "13");
    return p;
  }
  return std::nullopt;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& ioc, ServerOptions o, const Router& r, Metrics& m)
      : ioc(ioc), options(std::move(o)), router(r), metrics(m), acceptor(ioc) {
    if (!options.web_root.empty()) {
      static_files = std::make_unique<StaticFiles>(options.web_root);
    }
  }

  // One keep-alive connection. `stream` and `idle` belong to the connection's strand: shutdown()
  // reaches them only through a handler posted to `strand`.
  struct Connection {
    explicit Connection(asio::any_io_executor ex) : strand(std::move(ex)) {}
    const asio::any_io_executor strand;
    beast::tcp_stream* stream = nullptr;
    bool idle = true;
  };

  asio::io_context& ioc;
  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  tcp::acceptor acceptor;
  std::unique_ptr<StaticFiles> static_files;
  ErrorMapper error_mapper;
  std::string upgrade_path;
  UpgradeHandler upgrade_handler;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::unordered_set<std::shared_ptr<Connection>> connections;

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping) {
          co_return;
        }
        // EMFILE and friends: back off briefly instead of spinning.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(use_tuple);
        continue;
      }
      auto ex = socket.get_executor();
      asio::co_spawn(ex, session(std::move(socket)), asio::detached);
    }
  }

  Request make_request(const BeastRequest& req, const std::string& peer) {
    Request r;
    r.method = to_method(req.method());
    r.target = std::string(req.target());
    const auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) {
      r.query = r.target.substr(q + 1);
    }
    r.headers.reserve(16);
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    auto incoming = r.header("x-request-id");
    r.request_id = valid_request_id(incoming) ? std::string(incoming) : new_request_id();
    r.peer_address = peer;
    std::vector<std::string_view> forwarded_for;
    for (const auto& [name, value] : r.headers) {
      if (name == "x-forwarded-for") {
        forwarded_for.push_back(value);
      }
    }
    r.client_address = resolve_client_address(peer, forwarded_for, options.trusted_proxies);
    return r;
  }

  awaitable<Response> dispatch(Request& r, BeastRequest& req) {
    if (r.method != Method::OTHER) {
      auto m = router.match(r.method, r.path);
      if (m.outcome == Router::Outcome::found) {
        r.route = *m.pattern;
        r.params = std::move(m.params);
        r.body = std::move(req.body());
        co_return co_await (*m.handler)(r);
      }
      if (m.outcome == Router::Outcome::wrong_method) {
        r.route = "(method not allowed)";
        auto res = Response::problem(problems::method_not_allowed());
        std::string allow;
        for (auto a : m.allowed) {
          allow += allow.empty() ? "" : ", ";
          allow += method_name(a);
        }
        res.header("Allow", allow);
        co_return res;
      }
    }
    if (static_files && !r.path.starts_with("/api/") &&
        (r.method == Method::GET || r.method == Method::HEAD)) {
      r.route = "(static)";
      co_return static_files->serve(r);
    }
    r.route = "(not found)";
    co_return Response::problem(problems::not_found("No such resource."));
  }

  awaitable<Response> handle(Request& r, BeastRequest& req) {
    std::optional<Problem> problem;
    try {
      co_return co_await dispatch(r, req);
    } catch (const ProblemError& e) {
      problem = e.problem();
    } catch (const std::exception& e) {
      if (error_mapper) {
        problem = error_mapper(e);
      }
      const auto* sys = dynamic_cast<const boost::system::system_error*>(&e);
      if (sys != nullptr && sys->code() == asio::error::operation_aborted) {
        // Cancelled by the request deadline (which answers for it) or by shutdown.
        spdlog::debug("request {} {} {} cancelled", r.request_id, method_name(r.method), r.route);
      } else if (!problem || problem->status >= 500) {
        spdlog::error("request {} {} {} failed: {}", r.request_id, method_name(r.method), r.route, e.what());
      }
      if (!problem) {
        problem = problems::internal();
      }
    }
    co_return Response::problem(*problem, r.path);
  }

  // handle() raced against the request deadline. handle() never throws, so the race ends at the
  // first of the two; the loser is cancelled and awaited, so `r` and `req` outlive both.
  awaitable<Response> handle_within_deadline(Request& r, BeastRequest& req) {
    using namespace boost::asio::experimental::awaitable_operators;
    if (options.request_timeout.count() == 0) {
      co_return co_await handle(r, req);
    }
    asio::steady_timer deadline(co_await asio::this_coro::executor, options.request_timeout);
    auto outcome = co_await (handle(r, req) || deadline.async_wait(asio::use_awaitable));
    if (auto* res = std::get_if<0>(&outcome)) {
      co_return std::move(*res);
    }
    spdlog::warn("request {} {} {} passed its deadline of {} ms", r.request_id, method_name(r.method), r.route,
                 options.request_timeout.count());
    auto p = problems::make(503, "request-timeout", "Service unavailable.",
                            "The request took too long to complete; try again.");
    p.headers.emplace_back("Retry-After", "1");
    co_return Response::problem(std::move(p));
  }


  template <class Body>
  static void apply_common(bhttp::response<Body>& res, const std::string& request_id, std::string_view host) {
    res.set(bhttp::field::server, "collabdev");
    res.set("X-Request-Id", request_id);
    for (auto& [name, value] : security_headers(host)) {
      res.set(name, value);
    }
  }

  awaitable<void> write_problem(beast::tcp_stream& stream, const Problem& p, unsigned version,
                                const std::string& request_id, std::string_view host = {}) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(p.status), version};
    apply_common(res, request_id, host);
    for (const auto& [name, value] : p.headers) {
      res.set(name, value);
    }
    res.set(bhttp::field::content_type, "application/problem+json");
    res.set(bhttp::field::connection, "close");
    res.body() = p.to_json();
    res.keep_alive(false);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(10));
    co_await bhttp::async_write(stream, res, use_tuple);
  }

  awaitable<void> session(tcp::socket socket) {
    // Declared first so that it is destroyed last: Unregister below still uses this Impl.
    auto keep_alive_holder = shared_from_this();
    auto conn = std::make_shared<Connection>(socket.get_executor());
    beast::tcp_stream stream(std::move(socket));
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) {
        remote = ep.address().to_string();
        if (auto a = parse_address(remote)) {
          remote = a->to_string();
        }
      }
    }
    conn->stream = &stream;
    {
      std::lock_guard lock(mutex);
      if (stopping) {
        co_return;
      }
      connections.insert(conn);
    }
    // Runs on the strand before `stream` is destroyed, so a handler posted by shutdown() that runs
    // later finds no stream.
    struct Unregister {
      Impl* self;
      std::shared_ptr<Connection> conn;
      ~Unregister() {
        conn->stream = nullptr;
        std::lock_guard lock(self->mutex);
        self->connections.erase(conn);
      }
    } unregister{this, conn};

    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options.header_limit);
      parser.body_limit(options.body_limit);
      stream.expires_after(first ? options.read_timeout : options.idle_timeout);
      first = false;
      conn->idle = true;
      if (stopping) {
        break;
      }
      // Wait for the first bytes as "idle", then the rest of the request under the read timeout.
      auto [ec, nh] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
      conn->idle = false;
      if (!ec && !parser.is_done()) {
        stream.expires_after(options.read_timeout);
        auto [ec_b, nb] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
        ec = ec_b;
      }
      if (ec) {
        if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
            ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof) {
          break;
        }
        const auto rid = new_request_id();
        if (ec == bhttp::error::body_limit) {
          co_await write_problem(stream, problems::payload_too_large(options.body_limit), 11, rid);
        } else if (ec == bhttp::error::header_limit) {
          co_await write_problem(stream,
                                 problems::make(431, "headers-too-large", "Request header fields too large."), 11,
                                 rid);
        } else {
          co_await write_problem(stream, problems::bad_request("The HTTP request is malformed."), 11, rid);
        }
        break;
      }
      auto& breq = parser.get();
      const auto started = std::chrono::steady_clock::now();

      if (upgrade_handler && boost::beast::websocket::is_upgrade(breq)) {
        auto target = breq.target();
        if (target.substr(0, target.find('?')) == upgrade_path) {
          // A malformed handshake is refused here, as a problem with every security header, and the
          // connection closed: only well-formed upgrades reach the gateway.
          if (auto refusal = handshake_refusal(breq)) {
            auto rid = new_request_id();
            co_await write_problem(stream, *refusal, breq.version(), rid, breq[bhttp::field::host]);
            metrics.observe(method_name(to_method(breq.method())), upgrade_path, refusal->status, 0);
            break;
          }
          Request info = make_request(breq, remote);
          info.route = upgrade_path;
          stream.expires_never();
          conn->stream = nullptr;
          upgrade_handler(std::move(stream), parser.release(), std::move(info));
          co_return;
        }
      }

      Request r = make_request(breq, remote);
      Response res = co_await handle_within_deadline(r, breq);
      const auto host = breq[bhttp::field::host];
      const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics.observe(method_name(r.method), r.route, res.status, elapsed);
      if (res.status >= 500) {
        spdlog::warn("{} {} {} -> {} ({:.1f} ms)", r.request_id, method_name(r.method), r.route, res.status,
                     elapsed * 1000);
      } else {
        spdlog::debug("{} {} {} -> {} ({:.1f} ms)", r.request_id, method_name(r.method), r.route, res.status,
                      elapsed * 1000);
      }

      bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), breq.version()};
      apply_common(out, r.request_id, host);
      if (!res.content_type.empty()) {
        out.set(bhttp::field::content_type, res.content_type);
      }
      // A handler's own value of a common header (a stricter CSP for a raw file) replaces the
      // default; a header it gives several times (Set-Cookie) keeps every value.
      std::vector<std::string_view> given;
      for (auto& [k, v] : res.headers) {
        if (std::none_of(given.begin(), given.end(), [&k](std::string_view g) { return beast::iequals(g, k); })) {
          given.push_back(k);
          out.erase(k);
        }
        out.insert(k, v);
      }
      const bool keep_alive = breq.keep_alive() && !stopping;
      out.keep_alive(keep_alive);
      const auto body_size = res.body.size();
      if (r.method == Method::HEAD) {
        out.content_length(body_size);
      } else {
        out.body() = std::move(res.body);
        if (res.status != 204 && res.status != 304) {
          out.prepare_payload();
        }
      }
      stream.expires_after(options.read_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, out, use_tuple);
      if (wec || !keep_alive) {
        break;
      }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), router, metrics)) {}

Server::~Server() = default;

void Server::set_error_mapper(ErrorMapper mapper) { impl_->error_mapper = std::move(mapper); }

void Server::set_upgrade_handler(std::string path, UpgradeHandler handler) {
  impl_->upgrade_path = std::move(path);
  impl_->upgrade_handler = std::move(handler);
}

void Server::start() {
  auto& a = impl_->acceptor;
  tcp::endpoint ep{asio::ip::make_address(impl_->options.host), impl_->options.port};
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
}

void Server::shutdown() {
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
  std::lock_guard lock(impl_->mutex);
  for (const auto& c : impl_->connections) {
    // Idle keep-alive connections are closed; busy ones finish their request first. Both fields
    // are read on the connection's own strand.
    asio::post(c->strand, [c] {
      if (c->idle && c->stream != nullptr) {
        c->stream->cancel();
      }
    });
  }
}

std::size_t Server::open_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections.size();
}

std::uint16_t Server::bound_port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace collabdev::http
