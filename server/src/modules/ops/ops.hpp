#pragma once
// Operations endpoints: liveness, readiness (PostgreSQL, and Redis when configured; the graph
// mirror as up or degraded, never failing), Prometheus
// metrics, and the OpenAPI description of the API.
#include <functional>
#include <memory>
#include <string>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace collabdev::ops {

// Who may read /metrics on a listener. Metrics name routes and load, so they are not public.
struct MetricsAccess {
  enum class Mode {
    elsewhere,  // served on the separate metrics listener only (COLLABDEV_METRICS_LISTEN): 404 here
    token,      // "Authorization: Bearer <token>" required (COLLABDEV_METRICS_TOKEN)
    loopback,   // neither configured: loopback peers only, and not through a proxy
    open,       // the separate metrics listener without a token: its address is the control
  };
  Mode mode = Mode::loopback;
  std::string token;
};

struct Deps {
  std::shared_ptr<db::Pool> pool;
  std::shared_ptr<bus::Bus> bus;
  http::Metrics* metrics = nullptr;
  MetricsAccess metrics_access;
  // The graph mirror's state for /readyz: "up", or "degraded" while it is behind or Neo4j is
  // unreachable (the server still serves: graph queries fall back to PostgreSQL). Unset: no mirror.
  std::function<std::string()> graph_mirror;
};

void register_routes(http::Router& router, Deps deps);
// /metrics alone, for the separate metrics listener.
void register_metrics_route(http::Router& router, http::Metrics& metrics, MetricsAccess access);

}  // namespace collabdev::ops
