#include "modules/ops/ops.hpp"

#include <boost/json.hpp>

#include "http/client_address.hpp"

namespace collabdev::embedded {
std::string_view openapi_yaml();
}

namespace collabdev::ops {

namespace {

// Compares every byte whatever the first difference, so timing does not reveal the token.
bool token_matches(std::string_view presented, const std::string& token) {
  if (presented.size() != token.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ token[i]);
  }
  return diff == 0;
}

// Throws the problem that refuses this request, if any.
void check_metrics_access(const http::Request& req, const MetricsAccess& access) {
  switch (access.mode) {
    case MetricsAccess::Mode::elsewhere:
      fail(problems::not_found("No such resource."));
    case MetricsAccess::Mode::token: {
      constexpr std::string_view prefix = "Bearer ";
      const auto h = req.header("authorization");
      if (!h.starts_with(prefix) || !token_matches(h.substr(prefix.size()), access.token)) {
        auto p = problems::unauthorized("Metrics need the bearer token of COLLABDEV_METRICS_TOKEN.");
        p.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"metrics\"");
        fail(std::move(p));
      }
      return;
    }
    case MetricsAccess::Mode::open:
      return;
    case MetricsAccess::Mode::loopback: {
      // A proxy on the same host makes every client look local: a forwarded request is not local.
      const auto peer = http::parse_address(req.peer_address);
      const bool forwarded = !req.header("x-forwarded-for").empty() || !req.header("forwarded").empty();
      if (!peer || !peer->is_loopback() || forwarded) {
        fail(problems::forbidden(
            "Metrics are served to local clients only; set COLLABDEV_METRICS_TOKEN or COLLABDEV_METRICS_LISTEN."));
      }
      return;
    }
  }
}

}  // namespace

void register_metrics_route(http::Router& router, http::Metrics& metrics, MetricsAccess access) {
  router.get("/metrics", [&metrics, access](http::Request& req) -> awaitable<http::Response> {
    check_metrics_access(req, access);
    co_return http::Response::text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

void register_routes(http::Router& router, Deps deps) {
  router.get("/healthz", [](http::Request&) -> awaitable<http::Response> {
    co_return http::Response::json(boost::json::object{{"status", "ok"}});
  });

  router.get("/readyz", [deps](http::Request&) -> awaitable<http::Response> {
    boost::json::object checks;
    std::vector<FieldError> down;
    const bool pg_ok = co_await deps.pool->ping(std::chrono::milliseconds(1500));
    checks["postgresql"] = pg_ok ? "up" : "down";
    if (!pg_ok) {
      down.push_back({"postgresql", "does not answer"});
    }
    if (deps.bus->configured_remote()) {
      const bool redis_ok = co_await deps.bus->ping();
      checks["redis"] = redis_ok ? "up" : "down";
      if (!redis_ok) {
        down.push_back({"redis", "does not answer"});
      }
    }
    if (deps.graph_mirror) {
      checks["graph_mirror"] = deps.graph_mirror();
    }
    if (!down.empty()) {
      std::string names;
      for (const auto& d : down) {
        names += names.empty() ? "" : ", ";
        names += d.field;
      }
      auto p = problems::unavailable("Not ready: " + names + " down.");
      p.errors = std::move(down);
      p.current = checks;
      co_return http::Response::problem(p);
    }
    co_return http::Response::json(boost::json::object{{"status", "ready"}, {"checks", checks}});
  });

  register_metrics_route(router, *deps.metrics, deps.metrics_access);

  router.get("/api/v1/openapi.yaml", [](http::Request&) -> awaitable<http::Response> {
    co_return http::Response::text(std::string(embedded::openapi_yaml()), "application/yaml");
  });
}

}  // namespace collabdev::ops
