#include "realtime/gateway.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "realtime/connection.hpp"
#include "realtime/node.hpp"
#include "realtime/protocol.hpp"

namespace collabdev::realtime {

namespace bj = boost::json;

namespace {

void log_failure(std::exception_ptr e, const char* what) {
  if (e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::warn("gateway: {} failed: {}", what, ex.what());
    }
  }
}

// {"session_ids": [...]} of channels::sessions_revoked.
std::vector<std::string> revoked_session_ids(const std::string& payload) {
  std::vector<std::string> ids;
  boost::system::error_code ec;
  auto v = bj::parse(payload, ec);
  if (ec || !v.is_object()) {
    return ids;
  }
  const auto* list = v.as_object().if_contains("session_ids");
  if (list == nullptr || !list->is_array()) {
    return ids;
  }
  for (const auto& id : list->as_array()) {
    if (id.is_string()) {
      ids.emplace_back(id.get_string());
    }
  }
  return ids;
}

}  // namespace

Node::Node(asio::io_context& io, std::shared_ptr<bus::Bus> b, GatewayServices s, GatewayOptions o)
    : ioc(io), bus(std::move(b)), services(std::move(s)), options(std::move(o)),
      presence(std::make_shared<PresenceTracker>(io, bus, options.presence_heartbeat, options.presence_ttl)),
      rooms(std::make_shared<Rooms>(bus, presence)) {}

bool Node::admit(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  if (clients_.size() >= options.max_connections) {
    return false;
  }
  auto& n = per_address_[client->address];
  if (n >= options.max_per_address) {
    if (n == 0) {
      per_address_.erase(client->address);
    }
    return false;
  }
  ++n;
  clients_.insert(client);
  return true;
}

void Node::forget(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  if (clients_.erase(client) == 0) {
    return;
  }
  if (auto it = per_address_.find(client->address); it != per_address_.end() && --it->second == 0) {
    per_address_.erase(it);
  }
  if (auto it = by_session_.find(client->session_id); it != by_session_.end()) {
    std::erase_if(it->second, [&](const auto& w) {
      auto c = w.lock();
      return !c || c == client;
    });
    if (it->second.empty()) {
      by_session_.erase(it);
    }
  }
}

bool Node::authenticated(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  if (recently_revoked_.contains(client->session_id)) {
    return false;
  }
  if (clients_.contains(client)) {
    by_session_[client->session_id].push_back(client);
  }
  return true;
}

std::vector<std::shared_ptr<Client>> Node::all() const {
  std::lock_guard lock(mutex_);
  return {clients_.begin(), clients_.end()};
}

std::size_t Node::count() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

void Node::revoke_sessions(const std::vector<std::string>& session_ids) {
  std::vector<std::shared_ptr<Client>> affected;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (recently_revoked_.size() >= sweep_at_) {
      std::erase_if(recently_revoked_, [&](const auto& kv) { return now - kv.second > std::chrono::minutes(1); });
      sweep_at_ = std::max<std::size_t>(1024, recently_revoked_.size() * 2);
    }
    for (const auto& id : session_ids) {
      recently_revoked_.insert_or_assign(id, now);
      if (auto it = by_session_.find(id); it != by_session_.end()) {
        for (const auto& w : it->second) {
          if (auto c = w.lock()) {
            affected.push_back(std::move(c));
          }
        }
      }
    }
  }
  for (auto& c : affected) {
    c->close(close_code::unauthenticated, "signed out");
  }
}

awaitable<void> Node::recheck_sessions() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    ids.reserve(by_session_.size());
    for (const auto& [id, clients] : by_session_) {
      ids.push_back(id);
    }
  }
  if (ids.empty() || !services.live_sessions) {
    co_return;
  }
  auto live = co_await services.live_sessions(ids);
  std::unordered_set<std::string> alive(live.begin(), live.end());
  std::erase_if(ids, [&](const std::string& id) { return alive.contains(id); });
  if (!ids.empty()) {
    spdlog::info("gateway: closing sockets of {} sessions signed out while the bus was away", ids.size());
  }
  revoke_sessions(ids);
}

awaitable<void> Node::recheck_rooms() {
  auto members = rooms->members();
  for (auto& [name, user] : members) {
    bool allowed = true;
    try {
      allowed = co_await name.kind->authorize(name.id, user);
    } catch (const std::exception& e) {
      // Cannot tell now: keep them; the next reconnect or revocation event decides.
      spdlog::warn("gateway: re-authorising {} in {} failed: {}", user, name.room, e.what());
    }
    if (!allowed) {
      // Named: g++ 12 miscompiles braced lists across co_await.
      std::vector<std::string> users;
      users.push_back(user);
      rooms->revoke(name.room, users, "access revoked");
    }
  }
}

void Node::after_reconnect() {
  auto note = envelope("resync", nullptr, {}, nullptr);
  for (auto& c : all()) {
    c->send(note);
  }
  presence->reassert();
  asio::co_spawn(ioc, recheck_sessions(), [](std::exception_ptr e) { log_failure(e, "session re-check"); });
  asio::co_spawn(ioc, recheck_rooms(), [](std::exception_ptr e) { log_failure(e, "room re-check"); });
}

Gateway::Gateway(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, GatewayServices services,
                 GatewayOptions options)
    : node_(std::make_shared<Node>(ioc, std::move(bus), std::move(services), std::move(options))) {}

Gateway::~Gateway() = default;

void Gateway::register_room_kind(RoomKind kind) { node_->rooms->add_kind(std::move(kind)); }

void Gateway::start() {
  std::weak_ptr<Node> weak = node_;
  // Sign-outs on any instance close the sockets of those sessions here.
  node_->sessions_revoked =
      node_->bus->subscribe(std::string(channels::sessions_revoked), [weak](const bus::Message& m) {
        if (auto node = weak.lock()) {
          node->revoke_sessions(revoked_session_ids(*m.payload));
        }
      });
  node_->bus->on_resubscribed([weak] {
    if (auto node = weak.lock()) {
      node->after_reconnect();
    }
  });
  node_->presence->start();
}

void Gateway::accept(boost::beast::tcp_stream stream, http::BeastRequest req, http::Request info) {
  if (node_->stopping) {
    return;
  }
  serve_connection(node_, std::move(stream), std::move(req), std::move(info));
}

void Gateway::shutdown() {
  node_->stopping = true;
  node_->presence->stop();
  for (auto& c : node_->all()) {
    asio::post(c->strand(), [c] { c->going_away(); });
  }
}

std::size_t Gateway::connections() const { return node_->count(); }

awaitable<std::vector<std::string>> Gateway::present(std::string room) {
  co_return co_await node_->presence->present(std::move(room));
}

const std::string& Gateway::instance_id() const { return node_->presence->instance_id(); }

}  // namespace collabdev::realtime
