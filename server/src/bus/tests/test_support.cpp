#include "test_support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "bus/redis_client.hpp"

extern char** environ;

namespace collabdev::bus::test {

std::string unique(const std::string& what) {
  static std::atomic<int> counter{0};
  static const auto seed = std::random_device{}();
  return "test:bus:" + std::to_string(::getpid()) + ":" + std::to_string(seed) + ":" + std::to_string(++counter) +
         ":" + what;
}

IoThreads::IoThreads(int threads) : guard_(asio::make_work_guard(io_)) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
}

bool IoThreads::drain(std::chrono::milliseconds limit) {
  guard_.reset();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!io_.stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  return io_.stopped();
}

void IoThreads::halt() {
  guard_.reset();
  io_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
}

IoThreads::~IoThreads() { halt(); }

RedisServerProcess::RedisServerProcess() {
  // Ask the kernel for a free port; the tiny race with other processes is acceptable in tests.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  port_ = acceptor.local_endpoint().port();
  std::string tmpl = (std::filesystem::temp_directory_path() / "bus-test-redis-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  socket_path_ = dir_ + "/redis.sock";
}

RedisServerProcess::~RedisServerProcess() {
  kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool RedisServerProcess::start() {
  if (pid_ > 0) {
    return true;
  }
  const std::string port = std::to_string(port_);
  std::vector<std::string> args{"redis-server", "--port",      port,         "--bind",         "127.0.0.1",
                                "--save",       "",            "--appendonly", "no",           "--daemonize",
                                "no",           "--dir",       dir_,         "--unixsocket", socket_path_,
                                "--unixsocketperm", "700"};
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) {
    return false;
  }
  // redis-server logs to stdout; keep the test output readable.
  if (posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return false;
  }
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawnp redis-server: " << std::strerror(rc);
    return false;
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "redis-server exited at start";
      return false;
    }
    asio::io_context io;
    asio::ip::tcp::socket probe(io);
    boost::system::error_code ec;
    probe.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    if (!ec && std::filesystem::exists(socket_path_)) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void RedisServerProcess::kill() {
  if (pid_ <= 0) {
    return;
  }
  if (::kill(pid_, SIGKILL) != 0) {
    ADD_FAILURE() << "kill redis-server: " << std::strerror(errno);
  }
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) {
    ADD_FAILURE() << "waitpid redis-server: " << std::strerror(errno);
  }
  pid_ = -1;
}

bool wait_numsub(IoThreads& io, const std::string& url, const std::string& channel, long long count,
                 std::chrono::milliseconds limit) {
  RedisClient client(io.ex(), parse_redis_url(url));
  const bool reached = io.run(
      [&]() -> awaitable<bool> {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        while (std::chrono::steady_clock::now() < deadline) {
          std::vector<std::string> numsub{"PUBSUB", "NUMSUB", channel};
          auto reply = co_await client.command(std::move(numsub));
          if (reply.type == Reply::Type::array && reply.elements.size() == 2 &&
              reply.elements[1].integer == count) {
            co_return true;
          }
          timer.expires_after(20ms);
          co_await timer.async_wait(use_awaitable);
        }
        co_return false;
      }(),
      limit + 2s);
  client.stop();
  return reached;
}

}  // namespace collabdev::bus::test
