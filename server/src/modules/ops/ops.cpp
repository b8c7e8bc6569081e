#include "modules/ops/ops.hpp"

#include <boost/json.hpp>

namespace collabdev::embedded {
std::string_view openapi_yaml();
}

namespace collabdev::ops {

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

  router.get("/metrics", [deps](http::Request&) -> awaitable<http::Response> {
    co_return http::Response::text(deps.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  router.get("/api/v1/openapi.yaml", [](http::Request&) -> awaitable<http::Response> {
    co_return http::Response::text(std::string(embedded::openapi_yaml()), "application/yaml");
  });
}

}  // namespace collabdev::ops
