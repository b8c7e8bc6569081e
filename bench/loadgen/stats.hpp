#pragma once
// Counters and latency samples shared by the client threads. Samples go to a per-thread buffer
// (an uncontended lock each) so that thousands of deliveries a second do not fight over one lock.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace loadgen {

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Percentiles {
  std::size_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

class Latencies {
 public:
  // Records one publish-to-receive latency, in microseconds.
  void record(std::int64_t micros);
  // Drops every sample taken so far (the start of a measurement window).
  void reset();
  // Percentiles of the samples since the last reset.
  Percentiles percentiles();

 private:
  struct Buffer {
    std::mutex mutex;
    std::vector<std::uint32_t> samples;
  };
  Buffer& local();
  std::mutex mutex_;
  std::vector<Buffer*> buffers_;
};

struct Counters {
  std::atomic<std::uint64_t> delivered{0};    // publications received by clients
  std::atomic<std::uint64_t> published{0};    // publish requests sent
  std::atomic<std::uint64_t> publish_ok{0};   // publish requests answered with success
  std::atomic<std::uint64_t> publish_err{0};  // publish requests failed or refused
  std::atomic<std::uint64_t> connected{0};    // clients currently subscribed
  std::atomic<std::uint64_t> connects{0};     // successful subscribe handshakes, reconnects included
  std::atomic<std::uint64_t> failures{0};     // failed connection attempts
  std::atomic<std::uint64_t> closed{0};       // subscribed clients that lost their connection
  // WebSocket frames received by subscribed clients, and those holding several envelopes (one
  // per line: both servers send what queued up for a client in one frame).
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> batched_frames{0};
};

std::string json_percentiles(const Percentiles& p);

}  // namespace loadgen
