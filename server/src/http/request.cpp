#include "http/request.hpp"

#include <charconv>

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include "core/json.hpp"

namespace collabdev::http {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::GET: return "GET";
    case Method::HEAD: return "HEAD";
    case Method::POST: return "POST";
    case Method::PUT: return "PUT";
    case Method::PATCH: return "PATCH";
    case Method::DELETE_: return "DELETE";
    case Method::OPTIONS: return "OPTIONS";
    case Method::OTHER: break;
  }
  return "OTHER";
}

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) {
      return v;
    }
  }
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto r = boost::urls::parse_query(query);
  if (!r) {
    return std::nullopt;
  }
  for (auto p : *r) {
    if (p.key == name) {
      if (!p.has_value) {
        return std::string();
      }
      // Query strings from forms encode spaces as '+'.
      boost::urls::encoding_opts opts;
      opts.space_as_plus = true;
      return p.value.decode(opts);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie") {
      continue;
    }
    std::string_view rest = v;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      auto item = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!item.empty() && item.front() == ' ') {
        item.remove_prefix(1);
      }
      const auto eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) {
        return std::string(item.substr(eq + 1));
      }
    }
  }
  return std::nullopt;
}

Response Response::json(const boost::json::value& v, int status) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response Response::text(std::string body, std::string content_type, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::problem(const Problem& p, std::string_view instance) {
  Response r;
  r.status = p.status;
  r.content_type = "application/problem+json";
  r.body = p.to_json(instance);
  r.headers = p.headers;
  return r;
}

std::int64_t page_limit(const Request& req, std::int64_t fallback, std::int64_t max) {
  auto v = req.query_param("limit");
  if (!v) {
    return fallback;
  }
  std::int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc{} || r.ptr != v->data() + v->size() || n < 1 || n > max) {
    fail(problems::bad_request("limit must be a whole number from 1 to " + std::to_string(max), "limit"));
  }
  return n;
}

boost::json::object json_body(const Request& req) {
  auto ct = req.header("content-type");
  const auto semi = ct.find(';');
  ct = ct.substr(0, semi);
  while (!ct.empty() && ct.back() == ' ') {
    ct.remove_suffix(1);
  }
  if (!req.body.empty() && ct != "application/json" && !ct.ends_with("+json")) {
    fail(problems::unsupported_media_type());
  }
  return json::parse_object(req.body);
}

}  // namespace collabdev::http
