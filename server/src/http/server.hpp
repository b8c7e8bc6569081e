#pragma once
// The HTTP/1.1 listener: keep-alive sessions on strands, limits and timeouts on every read,
// problem+json errors, request ids, metrics, static files, WebSocket hand-off, graceful stop.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/asio.hpp"
#include "http/client_address.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace collabdev::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t body_limit = 1024 * 1024;
  std::uint32_t header_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};
  // A request whose handler has not answered by then gets 503 and its work is cancelled (the
  // database pool discards a connection left mid-query). Zero: no deadline.
  std::chrono::milliseconds request_timeout{30000};
  std::filesystem::path web_root;  // empty: no static files
  // Peers whose X-Forwarded-For names the client (Request::client_address); empty: none.
  std::vector<Network> trusted_proxies;
};

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
// Takes over an upgraded connection (the realtime gateway). `info` carries headers and request id.
using UpgradeHandler = std::function<void(boost::beast::tcp_stream stream, BeastRequest req, Request info)>;
// Maps an exception from a lower layer (e.g. the database pool timing out) to a problem.
using ErrorMapper = std::function<std::optional<Problem>(const std::exception&)>;

class Server {
 public:
  Server(asio::io_context& ioc, ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  void set_error_mapper(ErrorMapper mapper);
  void set_upgrade_handler(std::string path, UpgradeHandler handler);
  // Binds and starts accepting; throws std::system_error when the address cannot be bound.
  void start();
  // Stops accepting, lets requests in flight finish and closes idle keep-alive connections.
  void shutdown();
  std::size_t open_connections() const;
  std::uint16_t bound_port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace collabdev::http
