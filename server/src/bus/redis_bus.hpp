#pragma once
// make_redis_bus with explicit options (timeouts, backoff), for tests and tuning.
#include <memory>

#include "bus/bus.hpp"
#include "bus/redis_connect.hpp"
#include "bus/redis_url.hpp"

namespace collabdev::bus {

std::shared_ptr<Bus> make_redis_bus(executor ex, const RedisEndpoint& endpoint, RedisOptions options);

}  // namespace collabdev::bus
