#pragma once
// Transport-neutral request and response, so feature modules never include Beast.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/asio.hpp"
#include "core/problem.hpp"

namespace collabdev::http {

enum class Method { GET, HEAD, POST, PUT, PATCH, DELETE_, OPTIONS, OTHER };
std::string_view method_name(Method m);

struct Request {
  Method method = Method::GET;
  std::string target;  // as sent
  std::string path;    // the path as sent (not decoded), without the query
  std::string query;   // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string request_id;
  // The TCP peer, and the client it speaks for: the same address unless the peer is a trusted
  // proxy, whose X-Forwarded-For then names the client. Per-address limits use client_address.
  std::string peer_address;
  std::string client_address;
  std::string route;  // the router pattern that matched, for metrics and logs
  std::vector<std::pair<std::string, std::string>> params;  // path parameters

  std::string_view header(std::string_view lower_name) const;
  std::string_view param(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;  // percent-decoded
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(const boost::json::value& v, int status = 200);
  static Response no_content();
  static Response text(std::string body, std::string content_type, int status = 200);
  static Response problem(const Problem& p, std::string_view instance = {});
  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The `limit` query parameter of a list: `fallback` when absent, 400 naming it when not 1..max.
std::int64_t page_limit(const Request& req, std::int64_t fallback, std::int64_t max);

// The request body as a JSON object: 415 unless the content type is JSON, 400 when it is not JSON.
boost::json::object json_body(const Request& req);

using Handler = std::function<awaitable<Response>(Request&)>;

}  // namespace collabdev::http
