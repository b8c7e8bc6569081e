#include "bus/redis_subscriber.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

namespace collabdev::bus {

namespace {
constexpr auto use_tuple = asio::as_tuple(use_awaitable);
using Clock = std::chrono::steady_clock;
// Channels per SUBSCRIBE when re-subscribing, so one command stays a reasonable size.
constexpr std::size_t subscribe_batch = 512;
}  // namespace

struct RedisSubscriber::Link {
  Link(RedisConnection c, executor strand) : socket(std::move(c.socket)), reader(std::move(c.reader)), timer(strand) {}
  RedisSocket socket;
  RespReader reader;
  std::string out;  // bytes waiting for the one write in flight
  bool writing = false;
  Clock::time_point last_read = Clock::now();
  asio::steady_timer timer;
};

RedisSubscriber::RedisSubscriber(executor ex, RedisEndpoint endpoint, RedisOptions options)
    : strand_(asio::make_strand(ex)), endpoint_(std::move(endpoint)), options_(options), backoff_timer_(strand_) {}

void RedisSubscriber::spawn(awaitable<void> task, const char* what) {
  asio::co_spawn(strand_, std::move(task), [what](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("redis subscriber: {} failed: {}", what, ex.what());
      }
    }
  });
}

void RedisSubscriber::start() { spawn(run(), "connection loop"); }

void RedisSubscriber::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    if (self->connector_) {
      self->connector_->cancel();
    }
    self->backoff_timer_.cancel();
    if (self->link_) {
      boost::system::error_code ignored;
      // Closing ends the read loop, which then sees stopped_; a close error leaves nothing to undo.
      self->link_->socket.close(ignored);
      self->link_->timer.cancel();
    }
  });
}

Subscription RedisSubscriber::subscribe(const std::string& channel, MessageHandler handler) {
  auto added = registry_.add(channel, std::move(handler));
  if (added.first) {
    asio::post(strand_, [self = shared_from_this(), channel] { self->sync(channel); });
  }
  return Subscription([weak = weak_from_this(), channel, slot = std::move(added.slot)] {
    slot->active = false;
    if (auto self = weak.lock()) {
      if (self->registry_.remove(channel, slot)) {
        asio::post(self->strand_, [self, channel] { self->sync(channel); });
      }
    }
  });
}

awaitable<bool> RedisSubscriber::confirmed(std::string channel, std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  auto signal = std::make_shared<Signal>(ex, 1);
  {
    std::lock_guard lock(confirm_mutex_);
    if (confirmed_.contains(channel)) {
      co_return true;
    }
    if (!registry_.has(channel)) {
      co_return false;
    }
    confirm_waiters_[channel].push_back(signal);
  }
  asio::steady_timer timer(ex, timeout);
  timer.async_wait([signal](boost::system::error_code ec) {
    if (!ec) {
      signal->try_send(boost::system::error_code{}, false);
    }
  });
  auto [ec, ok] = co_await signal->async_receive(use_tuple);
  timer.cancel();
  std::lock_guard lock(confirm_mutex_);
  if (auto it = confirm_waiters_.find(channel); it != confirm_waiters_.end()) {
    std::erase(it->second, signal);
    if (it->second.empty()) {
      confirm_waiters_.erase(it);
    }
  }
  co_return !ec && ok;
}

void RedisSubscriber::set_confirmed(const std::string& channel, bool confirmed) {
  std::lock_guard lock(confirm_mutex_);
  if (!confirmed) {
    confirmed_.erase(channel);
    return;
  }
  confirmed_.insert(channel);
  if (auto it = confirm_waiters_.find(channel); it != confirm_waiters_.end()) {
    for (const auto& signal : it->second) {
      signal->try_send(boost::system::error_code{}, true);
    }
    confirm_waiters_.erase(it);
  }
}

void RedisSubscriber::forget_confirmations() {
  std::lock_guard lock(confirm_mutex_);
  confirmed_.clear();
}

void RedisSubscriber::on_resubscribed(std::function<void()> callback) {
  std::lock_guard lock(callbacks_mutex_);
  callbacks_.push_back(std::make_shared<std::function<void()>>(std::move(callback)));
}

// Brings the upstream subscription of one channel in line with the registry. Reconciling
// (rather than replaying add/remove events) makes quick subscribe/unsubscribe sequences safe.
void RedisSubscriber::sync(const std::string& channel) {
  if (!link_) {
    return;  // the next connection subscribes whatever is registered then
  }
  const bool wanted = registry_.has(channel);
  const bool subscribed = upstream_.contains(channel);
  if (wanted && !subscribed) {
    upstream_.insert(channel);
    ++unanswered_[channel];
    send(link_, format_command({"SUBSCRIBE", channel}));
  } else if (!wanted && subscribed) {
    upstream_.erase(channel);
    set_confirmed(channel, false);
    send(link_, format_command({"UNSUBSCRIBE", channel}));
  }
}

void RedisSubscriber::send(const std::shared_ptr<Link>& link, std::string bytes) {
  link->out += bytes;
  if (!link->writing) {
    link->writing = true;
    spawn(write_loop(link), "write");
  }
}

awaitable<void> RedisSubscriber::write_loop(std::shared_ptr<Link> link) {
  auto self = shared_from_this();
  while (link_ == link && !link->out.empty()) {
    std::string buf = std::move(link->out);
    link->out.clear();
    auto [ec, n] = co_await asio::async_write(link->socket, asio::buffer(buf), use_tuple);
    if (ec) {
      boost::system::error_code ignored;
      // The read loop notices the closed socket and reconnects.
      link->socket.close(ignored);
      break;
    }
  }
  link->writing = false;
}

awaitable<void> RedisSubscriber::run() {
  auto self = shared_from_this();
  bool connected_before = false;
  bool failed_before = false;
  bool warned = false;
  auto backoff = options_.min_backoff;
  while (!stopped_) {
    connector_ = std::make_shared<RedisConnector>(strand_, endpoint_, options_.connect_timeout);
    ConnectResult result = co_await connector_->run();
    connector_.reset();
    if (stopped_) {
      break;
    }
    if (!result.connection) {
      if (!warned) {
        spdlog::warn("redis subscriber {}: {}; retrying", endpoint_.redacted(), result.error);
        warned = true;
      } else {
        spdlog::debug("redis subscriber {}: {}", endpoint_.redacted(), result.error);
      }
      failed_before = true;
      backoff_timer_.expires_after(backoff);
      co_await backoff_timer_.async_wait(use_tuple);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.min_backoff;
    warned = false;
    spdlog::info("redis subscriber {}: connected", endpoint_.redacted());

    auto link = std::make_shared<Link>(std::move(*result.connection), strand_);
    link_ = link;
    // Events published while we were away are lost: listeners must be told to resync.
    notify_pending_ = connected_before || failed_before;
    connected_before = true;
    failed_before = false;
    upstream_.clear();
    unanswered_.clear();
    auto channels = registry_.channels();
    confirmations_left_ = channels.size();
    for (std::size_t i = 0; i < channels.size(); i += subscribe_batch) {
      std::vector<std::string> args{"SUBSCRIBE"};
      for (std::size_t j = i; j < std::min(channels.size(), i + subscribe_batch); ++j) {
        args.push_back(channels[j]);
        upstream_.insert(channels[j]);
        ++unanswered_[channels[j]];
      }
      send(link, format_command(args));
    }
    if (confirmations_left_ == 0) {
      notify_resubscribed();
    }
    spawn(heartbeat(link), "heartbeat");

    std::string why = co_await read_loop(link);
    link_.reset();
    upstream_.clear();
    forget_confirmations();
    boost::system::error_code ignored;
    link->socket.close(ignored);
    link->timer.cancel();
    if (!stopped_) {
      spdlog::warn("redis subscriber {}: connection lost ({}); reconnecting", endpoint_.redacted(), why);
    }
  }
}

awaitable<std::string> RedisSubscriber::read_loop(std::shared_ptr<Link> link) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await link->socket.async_read_some(asio::buffer(buf), use_tuple);
    if (ec) {
      co_return ec == asio::error::eof ? std::string("closed by server") : "read: " + ec.message();
    }
    link->last_read = Clock::now();
    if (!link->reader.feed(buf.data(), n)) {
      co_return "protocol error: " + link->reader.error();
    }
    while (auto reply = link->reader.next()) {
      handle(link, std::move(*reply));
    }
    if (link->reader.broken()) {
      co_return "protocol error: " + link->reader.error();
    }
  }
}

void RedisSubscriber::handle(const std::shared_ptr<Link>& link, Reply reply) {
  if (reply.type == Reply::Type::error) {
    spdlog::warn("redis subscriber {}: error reply: {}", endpoint_.redacted(), reply.str);
    return;
  }
  if (reply.type != Reply::Type::array || reply.elements.empty() ||
      reply.elements[0].type != Reply::Type::string) {
    return;  // +PONG when no channel is subscribed
  }
  const std::string& kind = reply.elements[0].str;
  if (kind == "message" && reply.elements.size() == 3) {
    // The payload is moved once into shared storage; every handler sees the same bytes.
    Message msg{std::move(reply.elements[1].str),
                std::make_shared<const std::string>(std::move(reply.elements[2].str))};
    registry_.dispatch(msg);
  } else if (kind == "subscribe") {
    if (reply.elements.size() >= 2) {
      const auto& channel = reply.elements[1].str;
      auto it = unanswered_.find(channel);
      if (it != unanswered_.end() && --it->second == 0) {
        unanswered_.erase(it);
        if (upstream_.contains(channel)) {
          set_confirmed(channel, true);
        }
      }
    }
    if (confirmations_left_ > 0 && --confirmations_left_ == 0 && link_ == link) {
      notify_resubscribed();
    }
  }
}

void RedisSubscriber::notify_resubscribed() {
  if (!notify_pending_) {
    return;
  }
  notify_pending_ = false;
  std::vector<std::shared_ptr<std::function<void()>>> callbacks;
  {
    std::lock_guard lock(callbacks_mutex_);
    callbacks = callbacks_;
  }
  spdlog::info("redis subscriber {}: re-subscribed, asking listeners to resync", endpoint_.redacted());
  for (const auto& cb : callbacks) {
    try {
      (*cb)();
    } catch (const std::exception& e) {
      spdlog::error("redis subscriber: on_resubscribed callback threw: {}", e.what());
    }
  }
}

// A peer that vanished without a FIN leaves the read pending forever; a PING it cannot answer
// tells us to reconnect.
awaitable<void> RedisSubscriber::heartbeat(std::shared_ptr<Link> link) {
  auto self = shared_from_this();
  while (link_ == link) {
    link->timer.expires_after(options_.subscriber_ping);
    auto [ec] = co_await link->timer.async_wait(use_tuple);
    if (ec || link_ != link) {
      co_return;
    }
    if (Clock::now() - link->last_read > 3 * options_.subscriber_ping) {
      boost::system::error_code ignored;
      // The read loop sees the closed socket and reconnects.
      link->socket.close(ignored);
      co_return;
    }
    send(link, format_command({"PING"}));
  }
}

}  // namespace collabdev::bus
