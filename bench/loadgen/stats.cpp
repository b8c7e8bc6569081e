#include "stats.hpp"

#include <algorithm>
#include <cstdio>

namespace loadgen {

Latencies::Buffer& Latencies::local() {
  thread_local Buffer* buffer = nullptr;
  thread_local Latencies* owner = nullptr;
  if (buffer == nullptr || owner != this) {
    buffer = new Buffer();  // lives as long as the process: samples are merged at the end
    owner = this;
    std::lock_guard lock(mutex_);
    buffers_.push_back(buffer);
  }
  return *buffer;
}

void Latencies::record(std::int64_t micros) {
  auto& b = local();
  std::lock_guard lock(b.mutex);
  b.samples.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(micros, 0, UINT32_MAX)));
}

void Latencies::reset() {
  std::lock_guard lock(mutex_);
  for (auto* b : buffers_) {
    std::lock_guard l(b->mutex);
    b->samples.clear();
  }
}

Percentiles Latencies::percentiles() {
  std::vector<std::uint32_t> all;
  {
    std::lock_guard lock(mutex_);
    for (auto* b : buffers_) {
      std::lock_guard l(b->mutex);
      all.insert(all.end(), b->samples.begin(), b->samples.end());
    }
  }
  Percentiles p;
  p.count = all.size();
  if (all.empty()) {
    return p;
  }
  std::sort(all.begin(), all.end());
  auto at = [&](double q) {
    const auto i = std::min(all.size() - 1, static_cast<std::size_t>(q * static_cast<double>(all.size())));
    return all[i] / 1000.0;
  };
  p.p50_ms = at(0.50);
  p.p90_ms = at(0.90);
  p.p99_ms = at(0.99);
  p.p999_ms = at(0.999);
  p.max_ms = all.back() / 1000.0;
  return p;
}

std::string json_percentiles(const Percentiles& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"samples\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}",
                p.count, p.p50_ms, p.p90_ms, p.p99_ms, p.p999_ms, p.max_ms);
  return buf;
}

}  // namespace loadgen
