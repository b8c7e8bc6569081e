#pragma once
// Operations endpoints: liveness, readiness (PostgreSQL, and Redis when configured), Prometheus
// metrics, and the OpenAPI description of the API.
#include <memory>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace collabdev::ops {

struct Deps {
  std::shared_ptr<db::Pool> pool;
  std::shared_ptr<bus::Bus> bus;
  http::Metrics* metrics = nullptr;
};

void register_routes(http::Router& router, Deps deps);

}  // namespace collabdev::ops
