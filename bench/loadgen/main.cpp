// loadgen: the benchmark's load tool. Two modes, each bounded by --budget seconds:
//   fanout  clients subscribe, a publisher ramps its rate until deliveries stop keeping up, then
//           runs at half the saturation rate to measure publish-to-receive latency.
//   idle    clients connect, authenticate and subscribe, then stay idle; the resident memory of
//           the server processes (--pids) is read before and while they are held.
// Results are one JSON object on stdout; progress goes to stderr.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "clients.hpp"
#include "publishers.hpp"
#include "stats.hpp"

namespace asio = boost::asio;
using namespace loadgen;
using namespace std::chrono_literals;

namespace {

struct Args {
  std::map<std::string, std::string> values;
  std::string get(const std::string& k, const std::string& fallback = "") const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  std::string need(const std::string& k) const {
    auto it = values.find(k);
    if (it == values.end()) {
      throw std::invalid_argument("missing --" + k);
    }
    return it->second;
  }
  double num(const std::string& k, double fallback) const {
    auto it = values.find(k);
    return it == values.end() ? fallback : std::stod(it->second);
  }
};

std::vector<std::string> split(const std::string& s, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double self_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) of a process, from /proc/<pid>/stat.
double process_cpu_seconds(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/stat");
  std::string line;
  std::getline(f, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14) {
      utime = std::stod(field);
    } else if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident memory in KiB (VmRSS) of a process.
long process_rss_kib(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

double servers_cpu(const std::vector<std::string>& pids) {
  double s = 0;
  for (const auto& p : pids) {
    s += process_cpu_seconds(p);
  }
  return s;
}

long servers_rss(const std::vector<std::string>& pids) {
  long s = 0;
  for (const auto& p : pids) {
    s += process_rss_kib(p);
  }
  return s;
}

void emit(const std::string& json) {
  std::cout << json << std::endl;
  std::cout.flush();
}

// Every mode ends by itself: a watchdog ends the process when the budget runs out.
void start_watchdog(double budget) {
  std::thread([budget] {
    std::this_thread::sleep_for(std::chrono::duration<double>(budget));
    std::cerr << "loadgen: time budget of " << budget << " s exhausted\n";
    emit(R"({"error":"time budget exhausted"})");
    std::_Exit(3);
  }).detach();
}

ClientOptions client_options(const Args& a) {
  ClientOptions o;
  o.protocol = a.get("protocol", "collabdev") == "centrifugo" ? Protocol::centrifugo : Protocol::collabdev;
  for (const auto& url : split(a.need("ws"))) {
    o.endpoints.push_back(parse_endpoint(url));
  }
  o.token = a.need("token");
  o.rooms = split(a.need("rooms"));
  o.per_room = static_cast<std::size_t>(a.num("per-room", 1));
  o.max_handshakes = static_cast<std::size_t>(a.num("handshakes", 200));
  return o;
}

// Waits until `want` clients are subscribed, or the deadline passes; returns how many are.
std::uint64_t await_connected(Counters& c, std::uint64_t want, double deadline_s) {
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t last = 0;
  auto last_report = t0;
  while (seconds_since(t0) < deadline_s) {
    last = c.connected.load();
    if (last >= want) {
      break;
    }
    if (std::chrono::steady_clock::now() - last_report > 2s) {
      std::cerr << "loadgen: " << last << "/" << want << " subscribed, " << c.failures.load() << " failed attempts\n";
      last_report = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(20ms);
  }
  return c.connected.load();
}

struct Step {
  double target_deliveries = 0;
  double target_publishes = 0;
  double publishes_per_s = 0;   // achieved by the publisher
  double deliveries_per_s = 0;  // received inside the step's window
  double delivered_ratio = 0;   // received (window + drain) / expected from what was published
  std::uint64_t closed = 0;     // clients the server closed during the step
  std::uint64_t publish_errors = 0;
  std::uint64_t publisher_dropped = 0;
  double loadgen_cpu = 0;       // cores used by this process
  double server_cpu = 0;        // cores used by the server processes
  Percentiles latency;
  bool kept_up = false;
  bool publisher_limited = false;

  std::string json() const {
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "{\"target_deliveries_per_s\":%.0f,\"target_publishes_per_s\":%.1f,\"publishes_per_s\":%.1f,"
                  "\"deliveries_per_s\":%.0f,\"delivered_ratio\":%.4f,\"closed\":%llu,\"publish_errors\":%llu,"
                  "\"publisher_dropped\":%llu,\"loadgen_cpu\":%.2f,\"server_cpu\":%.2f,\"kept_up\":%s,"
                  "\"publisher_limited\":%s,\"latency\":%s}",
                  target_deliveries, target_publishes, publishes_per_s, deliveries_per_s, delivered_ratio,
                  static_cast<unsigned long long>(closed), static_cast<unsigned long long>(publish_errors),
                  static_cast<unsigned long long>(publisher_dropped), loadgen_cpu, server_cpu,
                  kept_up ? "true" : "false", publisher_limited ? "true" : "false",
                  json_percentiles(latency).c_str());
    return buf;
  }
};

// Publishes at `deliveries_per_s / per_room` for `seconds`, then waits for the stragglers.
Step run_step(Publisher& pub, Counters& c, Latencies& lat, std::size_t per_room, double deliveries_per_s,
              double seconds, const std::vector<std::string>& pids, double drain_s) {
  Step s;
  s.target_deliveries = deliveries_per_s;
  s.target_publishes = deliveries_per_s / static_cast<double>(per_room);
  const auto d0 = c.delivered.load();
  const auto p0 = c.published.load();
  const auto e0 = c.publish_err.load();
  const auto x0 = c.closed.load();
  const auto dropped0 = pub.dropped();
  const double cpu0 = self_cpu_seconds();
  const double scpu0 = servers_cpu(pids);
  lat.reset();
  const auto t0 = std::chrono::steady_clock::now();
  pub.set_rate(s.target_publishes);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double window = seconds_since(t0);
  const auto d1 = c.delivered.load();
  const auto p1 = c.published.load();
  pub.set_rate(0);
  const double cpu1 = self_cpu_seconds();
  const double scpu1 = servers_cpu(pids);
  // Drain: publishes still in flight arrive late; how many arrive at all tells about losses.
  const auto t1 = std::chrono::steady_clock::now();
  std::uint64_t expected = 0;
  while (seconds_since(t1) < drain_s) {
    std::this_thread::sleep_for(50ms);
    expected = (c.published.load() - p0 - (c.publish_err.load() - e0)) * per_room;
    if (c.delivered.load() - d0 >= expected && seconds_since(t1) > 0.2) {
      break;
    }
  }
  expected = (c.published.load() - p0 - (c.publish_err.load() - e0)) * per_room;
  s.publishes_per_s = static_cast<double>(p1 - p0) / window;
  s.deliveries_per_s = static_cast<double>(d1 - d0) / window;
  s.delivered_ratio = expected == 0 ? 0 : static_cast<double>(c.delivered.load() - d0) / static_cast<double>(expected);
  s.closed = c.closed.load() - x0;
  s.publish_errors = c.publish_err.load() - e0;
  s.publisher_dropped = pub.dropped() - dropped0;
  s.loadgen_cpu = (cpu1 - cpu0) / window;
  s.server_cpu = (scpu1 - scpu0) / window;
  s.latency = lat.percentiles();
  // One publish less than due is rounding at low rates, not a publisher falling behind.
  s.publisher_limited = static_cast<double>(p1 - p0) < 0.9 * s.target_publishes * window - 1;
  const double published_deliveries = static_cast<double>(p1 - p0) * static_cast<double>(per_room);
  s.kept_up = !s.publisher_limited && static_cast<double>(d1 - d0) >= 0.9 * published_deliveries &&
              s.closed == 0 && s.delivered_ratio >= 0.99 && s.publish_errors == 0 && s.latency.p99_ms < 1000;
  std::cerr << "loadgen: step " << s.json() << "\n";
  return s;
}

int fanout(const Args& a) {
  const double budget = a.num("budget", 120);
  start_watchdog(budget);
  const auto started = std::chrono::steady_clock::now();
  const auto pids = split(a.get("pids"));
  Counters counters;
  Latencies latencies;

  asio::io_context client_io;
  auto client_work = asio::make_work_guard(client_io);
  auto copts = client_options(a);
  ClientPool pool(client_io, copts, counters, latencies);
  const auto threads = static_cast<int>(a.num("threads", 1));
  std::vector<std::thread> runners;
  for (int i = 0; i < threads; ++i) {
    runners.emplace_back([&] { client_io.run(); });
  }

  PublishOptions popts;
  const auto kind = a.need("publish");
  popts.kind = kind == "redis" ? PublishKind::redis
                               : kind == "centrifugo" ? PublishKind::centrifugo_http : PublishKind::collabdev_http;
  popts.endpoint = parse_endpoint(a.need("publish-url"));
  popts.auth = a.get("publish-auth");
  popts.rooms = split(a.get("publish-rooms", a.need("rooms")));
  popts.connections = static_cast<std::size_t>(a.num("publish-connections", 16));
  popts.message_bytes = static_cast<std::size_t>(a.num("message-bytes", 100));
  asio::io_context publish_io;
  auto publish_work = asio::make_work_guard(publish_io);
  Publisher publisher(publish_io, popts, counters);
  publisher.start();
  std::thread publish_runner([&] { publish_io.run(); });

  pool.start();
  const auto total = pool.size();
  const double connect_s = seconds_since(started);
  const auto subscribed = await_connected(counters, total, a.num("connect-timeout", 60));
  const double connect_time = seconds_since(started) - connect_s;
  std::cerr << "loadgen: " << subscribed << "/" << total << " subscribed in " << connect_time << " s\n";
  if (subscribed < total) {
    emit(R"({"error":"not every client subscribed","subscribed":)" + std::to_string(subscribed) + "}");
    std::_Exit(4);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(a.num("settle", 1)));

  const double step_s = a.num("step-seconds", 2);
  const double latency_s = a.num("latency-seconds", 5);
  const double drain_s = a.num("drain-seconds", 3);
  const double factor = a.num("factor", 1.5);
  const double max_rate = a.num("max-rate", 5e6);
  const auto max_steps = static_cast<int>(a.num("max-steps", 12));
  double rate = a.num("start-rate", 10000);
  std::vector<Step> steps;
  double saturation = 0;
  bool saturated = false;
  for (int i = 0; i < max_steps && rate <= max_rate; ++i) {
    // Leave time for the latency run and a reconnect.
    if (seconds_since(started) + step_s + drain_s + latency_s + drain_s + 15 > budget) {
      std::cerr << "loadgen: stopping the ramp to stay within the budget\n";
      break;
    }
    auto s = run_step(publisher, counters, latencies, copts.per_room, rate, step_s, pids, drain_s);
    saturation = std::max(saturation, s.deliveries_per_s);
    steps.push_back(s);
    if (!s.kept_up) {
      saturated = true;
      break;
    }
    rate *= factor;
  }

  // Clients closed as slow consumers reconnect by themselves; wait for them.
  await_connected(counters, total, 15);
  std::this_thread::sleep_for(500ms);
  const double half = saturation / 2;
  auto latency = run_step(publisher, counters, latencies, copts.per_room, half, latency_s, pids, drain_s);

  std::ostringstream out;
  out << "{\"mode\":\"fanout\",\"protocol\":\"" << a.get("protocol", "collabdev") << "\",\"publish\":\"" << kind
      << "\",\"clients\":" << total << ",\"rooms\":" << copts.rooms.size() << ",\"per_room\":" << copts.per_room
      << ",\"instances\":" << copts.endpoints.size() << ",\"message_bytes\":" << popts.message_bytes
      << ",\"connect_seconds\":" << connect_time << ",\"saturated\":" << (saturated ? "true" : "false")
      << ",\"saturation_deliveries_per_s\":" << static_cast<long long>(saturation) << ",\"steps\":[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out << (i ? "," : "") << steps[i].json();
  }
  out << "],\"at_half\":" << latency.json() << ",\"frames\":" << counters.frames.load()
      << ",\"batched_frames\":" << counters.batched_frames.load() << ",\"reconnects\":" << counters.connects.load() - total
      << ",\"seconds\":" << seconds_since(started) << "}";
  emit(out.str());
  std::_Exit(0);  // the sockets close with the process; the servers see ordinary disconnects
}

int idle(const Args& a) {
  const double budget = a.num("budget", 120);
  start_watchdog(budget);
  const auto started = std::chrono::steady_clock::now();
  const auto pids = split(a.get("pids"));
  Counters counters;
  Latencies latencies;
  const long rss_before = servers_rss(pids);

  asio::io_context client_io;
  auto client_work = asio::make_work_guard(client_io);
  auto copts = client_options(a);
  copts.reconnect = false;
  ClientPool pool(client_io, copts, counters, latencies);
  const auto threads = static_cast<int>(a.num("threads", 1));
  std::vector<std::thread> runners;
  for (int i = 0; i < threads; ++i) {
    runners.emplace_back([&] { client_io.run(); });
  }
  pool.start();
  const auto total = pool.size();
  const auto subscribed = await_connected(counters, total, a.num("connect-timeout", budget / 2));
  const double connect_time = seconds_since(started);
  std::cerr << "loadgen: " << subscribed << "/" << total << " subscribed in " << connect_time << " s\n";
  // Idle: nothing is sent; the servers settle (allocator caches, timers) before the reading.
  std::this_thread::sleep_for(std::chrono::duration<double>(a.num("hold", 5)));
  const long rss_held = servers_rss(pids);
  const auto still = counters.connected.load();
  std::ostringstream out;
  out << "{\"mode\":\"idle\",\"protocol\":\"" << a.get("protocol", "collabdev") << "\",\"clients\":" << total
      << ",\"subscribed\":" << subscribed << ",\"still_connected\":" << still
      << ",\"failures\":" << counters.failures.load() << ",\"connect_seconds\":" << connect_time
      << ",\"rss_before_kib\":" << rss_before << ",\"rss_held_kib\":" << rss_held << ",\"rss_per_conn_kib\":"
      << (still ? static_cast<double>(rss_held) / static_cast<double>(still) : 0)
      << ",\"rss_delta_per_conn_kib\":"
      << (still ? static_cast<double>(rss_held - rss_before) / static_cast<double>(still) : 0)
      << ",\"loadgen_rss_kib\":" << process_rss_kib(std::to_string(getpid())) << "}";
  emit(out.str());
  std::_Exit(still == total ? 0 : 5);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: loadgen fanout|idle --key value ...\n";
    return 2;
  }
  Args a;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) {
      std::cerr << "loadgen: expected --key, got " << k << "\n";
      return 2;
    }
    a.values[k.substr(2)] = argv[i + 1];
  }
  try {
    const std::string mode = argv[1];
    if (mode == "fanout") {
      return fanout(a);
    }
    if (mode == "idle") {
      return idle(a);
    }
    std::cerr << "loadgen: unknown mode " << mode << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "loadgen: " << e.what() << "\n";
    emit(std::string(R"({"error":")") + e.what() + "\"}");
    return 2;
  }
}
