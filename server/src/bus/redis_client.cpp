#include "bus/redis_client.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <deque>

namespace collabdev::bus {

namespace {
constexpr auto use_tuple = asio::as_tuple(use_awaitable);
// Bounds one gathered write so a burst of large payloads does not build one giant buffer.
constexpr std::size_t max_batch_bytes = 1 << 20;
using Clock = std::chrono::steady_clock;
}  // namespace

class RedisClient::Impl : public std::enable_shared_from_this<RedisClient::Impl> {
 public:
  using Handler = asio::any_completion_handler<void(Reply)>;

  // A caller waiting for its reply; `work` keeps the caller's executor alive meanwhile.
  struct Waiter {
    Handler handler;
    executor work;
  };

  Impl(executor ex, RedisEndpoint endpoint, RedisOptions options)
      : strand_(asio::make_strand(ex)), endpoint_(std::move(endpoint)), options_(options), backoff_(options.min_backoff) {}

  executor strand() const { return strand_; }

  // On the strand: queue a formatted command and make sure something will send it.
  void enqueue(std::string bytes, Waiter waiter) {
    if (stopped_) {
      complete(std::move(waiter), Reply::unavailable("redis client stopped"));
      return;
    }
    queue_.push_back(Pending{std::move(bytes), std::move(waiter)});
    if (link_) {
      start_writer(link_);
    } else if (!connector_) {
      if (Clock::now() < next_attempt_) {
        fail_queue("redis unavailable: " + last_error_);
      } else {
        start_connect();
      }
    }
  }

  void stop() {
    stopped_ = true;
    if (connector_) {
      connector_->cancel();
    }
    if (link_) {
      drop_link(link_, "redis client stopped");
    }
    fail_queue("redis client stopped");
  }

 private:
  struct Pending {
    std::string bytes;
    Waiter waiter;
  };

  // One live connection and the callers whose commands were written on it, in order.
  struct Link {
    Link(RedisConnection c, executor strand) : socket(std::move(c.socket)), reader(std::move(c.reader)), watchdog(strand) {}
    RedisSocket socket;
    RespReader reader;
    std::deque<Waiter> awaiting;
    bool writing = false;
    Clock::time_point last_progress = Clock::now();
    asio::steady_timer watchdog;
  };

  static void complete(Waiter waiter, Reply reply) {
    auto ex = waiter.work;
    asio::post(ex, [h = std::move(waiter.handler), r = std::move(reply)]() mutable { std::move(h)(std::move(r)); });
  }

  void fail_queue(const std::string& why) {
    auto queued = std::move(queue_);
    queue_.clear();
    for (auto& p : queued) {
      complete(std::move(p.waiter), Reply::unavailable(why));
    }
  }

  void spawn(awaitable<void> task, const char* what) {
    asio::co_spawn(strand_, std::move(task), [what](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("redis client: {} failed: {}", what, ex.what());
        }
      }
    });
  }

  void start_connect() {
    connector_ = std::make_shared<RedisConnector>(strand_, endpoint_, options_.connect_timeout);
    spawn(connect(connector_), "connect");
  }

  awaitable<void> connect(std::shared_ptr<RedisConnector> connector) {
    auto self = shared_from_this();
    ConnectResult result = co_await connector->run();
    connector_.reset();
    if (stopped_) {
      fail_queue("redis client stopped");
      co_return;
    }
    if (!result.connection) {
      if (was_up_ || !warned_) {
        spdlog::warn("redis {}: {}; retrying on demand", endpoint_.redacted(), result.error);
        warned_ = true;
      }
      was_up_ = false;
      last_error_ = result.error;
      // Until the backoff passes, commands fail at once instead of each trying a connect.
      next_attempt_ = Clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      fail_queue("redis unavailable: " + result.error);
      co_return;
    }
    if (!was_up_) {
      spdlog::info("redis {}: connected", endpoint_.redacted());
    }
    was_up_ = true;
    backoff_ = options_.min_backoff;
    link_ = std::make_shared<Link>(std::move(*result.connection), strand_);
    spawn(read_loop(link_), "read");
    spawn(watch(link_), "watchdog");
    start_writer(link_);
  }

  void start_writer(const std::shared_ptr<Link>& link) {
    if (!link->writing && !queue_.empty()) {
      link->writing = true;
      spawn(write_loop(link), "write");
    }
  }

  awaitable<void> write_loop(std::shared_ptr<Link> link) {
    auto self = shared_from_this();
    std::string batch;
    while (link_ == link && !queue_.empty()) {
      batch.clear();
      if (link->awaiting.empty()) {
        link->last_progress = Clock::now();
      }
      // Gather what is queued into one write; the waiters move to `awaiting` in the same order.
      while (!queue_.empty() && (batch.empty() || batch.size() + queue_.front().bytes.size() <= max_batch_bytes)) {
        if (batch.empty()) {
          batch = std::move(queue_.front().bytes);
        } else {
          batch += queue_.front().bytes;
        }
        link->awaiting.push_back(std::move(queue_.front().waiter));
        queue_.pop_front();
      }
      auto [ec, n] = co_await asio::async_write(link->socket, asio::buffer(batch), use_tuple);
      if (ec) {
        drop_link(link, "write: " + ec.message());
        break;
      }
    }
    link->writing = false;
  }

  awaitable<void> read_loop(std::shared_ptr<Link> link) {
    auto self = shared_from_this();
    std::array<char, 16384> buf;
    for (;;) {
      auto [ec, n] = co_await link->socket.async_read_some(asio::buffer(buf), use_tuple);
      if (ec) {
        drop_link(link, ec == asio::error::eof ? std::string("closed by server") : "read: " + ec.message());
        co_return;
      }
      if (!link->reader.feed(buf.data(), n)) {
        drop_link(link, "protocol error: " + link->reader.error());
        co_return;
      }
      while (auto reply = link->reader.next()) {
        if (link->awaiting.empty()) {
          drop_link(link, "reply without a command");
          co_return;
        }
        link->last_progress = Clock::now();
        auto waiter = std::move(link->awaiting.front());
        link->awaiting.pop_front();
        complete(std::move(waiter), std::move(*reply));
      }
      if (link->reader.broken()) {
        drop_link(link, "protocol error: " + link->reader.error());
        co_return;
      }
    }
  }

  // A server that stops answering (hung, network partition) would otherwise hold callers forever.
  awaitable<void> watch(std::shared_ptr<Link> link) {
    auto self = shared_from_this();
    const auto period = std::max(options_.command_timeout / 4, std::chrono::milliseconds(10));
    while (link_ == link) {
      link->watchdog.expires_after(period);
      auto [ec] = co_await link->watchdog.async_wait(use_tuple);
      if (ec || link_ != link) {
        co_return;
      }
      if (!link->awaiting.empty() && Clock::now() - link->last_progress > options_.command_timeout) {
        drop_link(link, "no reply within " + std::to_string(options_.command_timeout.count()) + " ms");
      }
    }
  }

  // By value: callers may pass link_ itself, which is reset here.
  void drop_link(std::shared_ptr<Link> link, const std::string& why) {
    if (link_ != link) {
      return;
    }
    link_.reset();
    if (!stopped_) {
      spdlog::warn("redis {}: connection lost ({})", endpoint_.redacted(), why);
    }
    boost::system::error_code ignored;
    // Closing interrupts the pending read and write; a close error leaves nothing to undo.
    link->socket.close(ignored);
    link->watchdog.cancel();
    auto awaiting = std::move(link->awaiting);
    link->awaiting.clear();
    for (auto& w : awaiting) {
      complete(std::move(w), Reply::unavailable("redis connection lost: " + why));
    }
    fail_queue("redis connection lost: " + why);
  }

  asio::strand<executor> strand_;
  RedisEndpoint endpoint_;
  RedisOptions options_;
  std::deque<Pending> queue_;  // formatted, not yet written
  std::shared_ptr<Link> link_;
  std::shared_ptr<RedisConnector> connector_;
  bool stopped_ = false;
  bool was_up_ = false;
  bool warned_ = false;
  std::string last_error_;
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_;
};

RedisClient::RedisClient(executor ex, RedisEndpoint endpoint, RedisOptions options)
    : impl_(std::make_shared<Impl>(std::move(ex), std::move(endpoint), options)) {}

RedisClient::~RedisClient() { stop(); }

void RedisClient::stop() {
  asio::post(impl_->strand(), [impl = impl_] { impl->stop(); });
}

// Not a coroutine on purpose: GCC 12 mis-moves init-captures of coroutine locals (the moved-from
// string was freed twice), so the awaitable comes straight from async_initiate.
awaitable<Reply> RedisClient::command(std::vector<std::string> args) {
  return asio::async_initiate<decltype(use_awaitable), void(Reply)>(
      [impl = impl_](auto handler, std::string formatted) {
        auto work = asio::prefer(asio::get_associated_executor(handler, impl->strand()),
                                 asio::execution::outstanding_work.tracked);
        Impl::Waiter waiter{Impl::Handler(std::move(handler)), executor(std::move(work))};
        asio::post(impl->strand(), [impl, formatted = std::move(formatted), waiter = std::move(waiter)]() mutable {
          impl->enqueue(std::move(formatted), std::move(waiter));
        });
      },
      use_awaitable, format_command(args));
}

}  // namespace collabdev::bus
