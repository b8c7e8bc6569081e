#include "realtime/gateway.hpp"

#include <atomic>
#include <mutex>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace collabdev::realtime {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace bj = boost::json;
using Payload = std::shared_ptr<const std::string>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace close_code {
constexpr std::uint16_t unauthenticated = 4401;
constexpr std::uint16_t slow_consumer = 4408;
constexpr std::uint16_t rate_limited = 4429;
}  // namespace close_code

websocket::close_reason reason(std::uint16_t code, std::string_view text) {
  websocket::close_reason r(code);
  r.reason.assign(text.data(), std::min<std::size_t>(text.size(), r.reason.max_size()));
  return r;
}

std::vector<std::string> channels_for_room(std::string_view room) {
  const auto colon = room.find(':');
  const auto kind = room.substr(0, colon);
  const std::string base = "ws:" + std::string(room);
  if (kind == "project") {
    return {base + ":tasks", base + ":chat", base + ":members", base + ":presence"};
  }
  if (kind == "file" || kind == "page") {
    return {base + ":edits", base + ":presence"};
  }
  if (kind == "call") {
    return {base + ":signal"};
  }
  return {};
}

namespace {

std::string presence_key(std::string_view room) { return "presence:" + std::string(room); }
std::string presence_channel(std::string_view room) { return "ws:" + std::string(room) + ":presence"; }
std::string chat_channel(std::string_view room) { return "ws:" + std::string(room) + ":chat"; }
constexpr std::string_view instances_key = "presence:instances";

// A one-element list built outside the coroutine (g++ 12 miscompiles braced lists across co_await).
std::vector<std::string> one(std::string s) {
  std::vector<std::string> v;
  v.push_back(std::move(s));
  return v;
}

std::string random_id() {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  return fmt::format("{:016x}", rng());
}

Payload envelope(std::string_view type, const bj::value& id, std::string_view room, bj::value data) {
  bj::object o;
  o["type"] = type;
  if (!id.is_null()) {
    o["id"] = id;
  }
  if (!room.empty()) {
    o["room"] = room;
  }
  if (!data.is_null()) {
    o["data"] = std::move(data);
  }
  return std::make_shared<const std::string>(bj::serialize(o));
}

// Built outside coroutines: g++ 12 miscompiles braced lists across co_await.
bj::value user_data(const std::string& user) { return bj::object{{"user_id", user}}; }
bj::value presence_data(const std::string& user, const std::string& room) {
  return bj::object{{"user_id", user}, {"room", room}};
}

Payload error_envelope(const bj::value& id, std::string_view code, std::string_view message) {
  return envelope("error", id, {}, bj::object{{"code", code}, {"message", message}});
}

}  // namespace

struct Session;

struct Gateway::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::shared_ptr<bus::Bus> b, Authenticator a, RoomAuthorizer z, GatewayOptions o)
      : ioc(io), bus(std::move(b)), authenticate(std::move(a)), authorize(std::move(z)), options(std::move(o)),
        iid(random_id()), timer(io) {}

  struct Room {
    std::unordered_set<std::shared_ptr<Session>> sessions;
    std::vector<bus::Subscription> subscriptions;
  };

  asio::io_context& ioc;
  std::shared_ptr<bus::Bus> bus;
  Authenticator authenticate;
  RoomAuthorizer authorize;
  GatewayOptions options;
  std::string iid;
  asio::steady_timer timer;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;
  std::unordered_set<std::shared_ptr<Session>> sessions;
  std::unordered_map<std::string, Room> rooms;
  // How many local connections each user has in each room (two tabs leave only when both go).
  std::unordered_map<std::string, std::unordered_map<std::string, int>> local_presence;

  void fanout(const std::string& room, const bus::Message& m);
  void revoke(const std::string& room, const std::string& user_id, std::string_view reason);
  // Returns true when this was the user's first connection in the room on this instance.
  bool join(const std::shared_ptr<Session>& s, const std::string& room);
  void leave(const std::shared_ptr<Session>& s, const std::string& room);
  awaitable<void> presence_joined(std::string room, std::string user);
  awaitable<void> presence_left(std::string room, std::string user, bool from_reaper);
  awaitable<bool> held_elsewhere(const std::string& pair, const std::string& except_iid);
  awaitable<void> heartbeat_loop();
  awaitable<void> reap_dead_instances();
  awaitable<void> reassert_presence();
  void broadcast_all(const Payload& p);
};

struct Session : std::enable_shared_from_this<Session> {
  Session(beast::tcp_stream stream, std::shared_ptr<Gateway::Impl> g)
      : ws(std::move(stream)), gw(std::move(g)), last_refill(std::chrono::steady_clock::now()) {
    tokens = gw->options.message_burst;
  }

  websocket::stream<beast::tcp_stream> ws;
  std::shared_ptr<Gateway::Impl> gw;
  std::string user_id;  // empty until authenticated
  std::unordered_set<std::string> rooms;
  // The send queue is filled from any thread (fan-out needs no hop to this connection's strand);
  // the writer, on the strand, drains it. One write in flight at a time.
  std::mutex send_mutex;
  std::vector<Payload> queue;  // taken whole by the writer, so a burst costs one lock
  std::size_t queued_bytes = 0;
  bool writing = false;
  bool dropped = false;  // the queue overflowed: what is still queued is never sent
  std::atomic<bool> closing{false};
  std::optional<websocket::close_reason> pending_close;
  double tokens;
  std::chrono::steady_clock::time_point last_refill;
  int rate_strikes = 0;
  std::unique_ptr<asio::steady_timer> force_close_timer;  // only for connections being dropped

  // Safe from any thread.
  void send(Payload p) {
    bool start_writer = false;
    bool overflow = false;
    {
      std::lock_guard lock(send_mutex);
      if (closing) {
        return;
      }
      if (queue.size() >= gw->options.send_queue_messages ||
          queued_bytes + p->size() > gw->options.send_queue_bytes) {
        queue.clear();
        queued_bytes = 0;
        closing = true;
        dropped = true;
        pending_close = reason(close_code::slow_consumer, "slow consumer");
        overflow = true;
      } else {
        queued_bytes += p->size();
        queue.push_back(std::move(p));
      }
      start_writer = !writing;
      writing = true;
    }
    if (overflow) {
      // A peer that reads nothing never lets the close frame through: drop it after a grace period.
      asio::post(ws.get_executor(), [self = shared_from_this()] { self->force_close_after(std::chrono::seconds(5)); });
    }
    if (start_writer) {
      asio::co_spawn(ws.get_executor(), write_loop(shared_from_this()), asio::detached);
    }
  }

  // Safe from any thread.
  void close(websocket::close_reason why) {
    bool start_writer = false;
    {
      std::lock_guard lock(send_mutex);
      if (closing) {
        return;
      }
      closing = true;
      pending_close = why;
      start_writer = !writing;
      writing = true;
    }
    if (start_writer) {
      asio::co_spawn(ws.get_executor(), write_loop(shared_from_this()), asio::detached);
    }
  }

  static awaitable<void> write_loop(std::shared_ptr<Session> self) {
    std::optional<websocket::close_reason> close_with;
    std::vector<Payload> batch;
    for (;;) {
      {
        std::lock_guard lock(self->send_mutex);
        if (self->queue.empty() || self->dropped) {
          close_with = self->pending_close;
          self->pending_close.reset();
          if (!close_with) {
            self->writing = false;
          }
          // An idle connection keeps no buffer of a past burst.
          if (self->queue.capacity() > 16) {
            std::vector<Payload>().swap(self->queue);
          }
          break;
        }
        batch.swap(self->queue);
      }
      for (const auto& p : batch) {
        self->ws.text(true);
        auto [ec, n] = co_await self->ws.async_write(asio::buffer(*p), use_tuple);
        std::lock_guard lock(self->send_mutex);
        if (ec) {
          self->queue.clear();
          self->queued_bytes = 0;
          self->closing = true;
          self->writing = false;
          co_return;
        }
        if (self->dropped) {
          break;
        }
        self->queued_bytes -= p->size();
      }
      batch.clear();
    }
    if (close_with) {
      auto [ec] = co_await self->ws.async_close(*close_with, use_tuple);
      if (ec) {
        beast::get_lowest_layer(self->ws).close();
      }
      std::lock_guard lock(self->send_mutex);
      self->writing = false;
    }
  }

  void force_close_after(std::chrono::seconds grace) {
    if (force_close_timer) {
      return;
    }
    force_close_timer = std::make_unique<asio::steady_timer>(ws.get_executor(), grace);
    force_close_timer->async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        beast::get_lowest_layer(self->ws).close();
      }
    });
  }

  bool take_token() {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_refill).count();
    last_refill = now;
    tokens = std::min(gw->options.message_burst, tokens + elapsed * gw->options.messages_per_second);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  struct Handshake {
    http::BeastRequest req;
    http::Request info;
  };
  awaitable<void> run(std::unique_ptr<Handshake> hs);
  // Its own coroutine so that the upgrade request's headers are freed once it is done.
  awaitable<bool> handshake(std::unique_ptr<Handshake> hs);
  awaitable<void> handle(std::string_view text);
  awaitable<void> on_auth(const bj::value& id, const bj::object& msg);
  awaitable<void> on_subscribe(const bj::value& id, const std::string& room);
  void on_unsubscribe(const bj::value& id, const std::string& room);
  void ready() {
    send(envelope("ready", nullptr, {}, bj::object{{"user_id", user_id}}));
  }
};

awaitable<bool> Session::handshake(std::unique_ptr<Handshake> hs) {
  const auto& req = hs->req;
  const auto& info = hs->info;
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = gw->options.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.read_message_max(gw->options.max_frame);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "collabdev");
  }));
  auto [aec] = co_await ws.async_accept(req, use_tuple);
  if (aec) {
    co_return false;
  }

  // A cookie authenticates only a same-site upgrade (cross-site WebSocket hijacking).
  if (auto cookie = info.cookie("collabdev_session")) {
    const auto origin = info.header("origin");
    bool same_site = origin.empty();
    if (!same_site) {
      auto u = boost::urls::parse_uri(origin);
      same_site = u && u->has_authority() && u->encoded_host_and_port() == info.header("host");
      for (const auto& allowed : gw->options.allowed_origins) {
        same_site = same_site || origin == allowed;
      }
    }
    if (same_site) {
      try {
        if (auto user = co_await gw->authenticate(*cookie)) {
          user_id = *user;
          ready();
        }
      } catch (const std::exception& e) {
        spdlog::warn("websocket cookie authentication failed: {}", e.what());
      }
    }
  }
  co_return true;
}

awaitable<void> Session::run(std::unique_ptr<Handshake> hs) {
  auto self = shared_from_this();
  const bool accepted = co_await handshake(std::move(hs));
  if (!accepted) {
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        // Beast has already failed the stream; make the code visible to the peer if possible.
        beast::get_lowest_layer(ws).close();
      }
      break;
    }
    if (closing) {
      buffer.consume(buffer.size());
      continue;
    }
    if (!take_token()) {
      buffer.consume(buffer.size());
      if (++rate_strikes > 100) {
        close(reason(close_code::rate_limited, "too many messages"));
      } else {
        send(error_envelope(nullptr, "rate_limited", "too many messages; slow down"));
      }
      continue;
    }
    const auto data = buffer.data();
    const std::string text(static_cast<const char*>(data.data()), data.size());
    buffer.consume(buffer.size());
    buffer.shrink_to_fit();  // clients send little: an idle connection holds no read buffer
    if (!ws.got_text()) {
      send(error_envelope(nullptr, "bad_message", "send JSON text frames"));
      continue;
    }
    try {
      co_await handle(text);
    } catch (const std::exception& e) {
      spdlog::warn("websocket message failed: {}", e.what());
      send(error_envelope(nullptr, "internal", "the message could not be handled"));
    }
  }

  closing = true;
  std::vector<std::string> left(rooms.begin(), rooms.end());
  rooms.clear();
  for (const auto& room : left) {
    gw->leave(self, room);
  }
  {
    std::lock_guard lock(gw->mutex);
    gw->sessions.erase(self);
  }
}

awaitable<void> Session::handle(std::string_view text) {
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 16;
  bj::value v = bj::parse(text, ec, {}, po);
  if (ec || !v.is_object()) {
    send(error_envelope(nullptr, "bad_json", "each message must be a JSON object"));
    co_return;
  }
  const auto& msg = v.as_object();
  bj::value id = nullptr;
  if (const auto* i = msg.if_contains("id")) {
    if ((i->is_string() && i->get_string().size() <= 64) || i->is_int64()) {
      id = *i;
    } else {
      send(error_envelope(nullptr, "bad_message", "id must be a string of at most 64 characters or an integer"));
      co_return;
    }
  }
  const auto* type_v = msg.if_contains("type");
  if (type_v == nullptr || !type_v->is_string()) {
    send(error_envelope(id, "bad_message", "type must be a string"));
    co_return;
  }
  const std::string_view type = type_v->get_string();
  if (type == "ping") {
    send(envelope("pong", id, {}, nullptr));
    co_return;
  }
  if (type == "auth") {
    co_await on_auth(id, msg);
    co_return;
  }
  if (user_id.empty()) {
    send(error_envelope(id, "unauthenticated", "send auth with a session token first"));
    close(reason(close_code::unauthenticated, "unauthenticated"));
    co_return;
  }
  std::string room;
  if (const auto* r = msg.if_contains("room"); r != nullptr && r->is_string() && r->get_string().size() <= 128) {
    room = std::string(r->get_string());
  }
  if (type == "subscribe") {
    co_await on_subscribe(id, room);
  } else if (type == "unsubscribe") {
    on_unsubscribe(id, room);
  } else if (type == "typing") {
    if (!rooms.contains(room) || !room.starts_with("project:")) {
      send(error_envelope(id, "not_found", "subscribe to the room first"));
      co_return;
    }
    auto typing = envelope("typing", nullptr, room, user_data(user_id));
    co_await gw->bus->publish(chat_channel(room), *typing);
  } else {
    send(error_envelope(id, "unknown_type", "unknown message type"));
  }
}

awaitable<void> Session::on_auth(const bj::value& id, const bj::object& msg) {
  if (!user_id.empty()) {
    send(envelope("ack", id, {}, bj::object{{"user_id", user_id}}));
    co_return;
  }
  std::string token;
  if (const auto* d = msg.if_contains("data"); d != nullptr && d->is_object()) {
    if (const auto* t = d->as_object().if_contains("token"); t != nullptr && t->is_string()) {
      token = std::string(t->get_string());
    }
  }
  std::optional<std::string> user;
  if (!token.empty() && token.size() <= 128) {
    user = co_await gw->authenticate(token);
  }
  if (!user) {
    send(error_envelope(id, "unauthenticated", "the token is invalid, expired or signed out"));
    close(reason(close_code::unauthenticated, "unauthenticated"));
    co_return;
  }
  user_id = *user;
  send(envelope("ack", id, {}, bj::object{{"user_id", user_id}}));
  ready();
}

awaitable<void> Session::on_subscribe(const bj::value& id, const std::string& room) {
  if (room.empty() || channels_for_room(room).empty()) {
    send(error_envelope(id, "not_found", "no such room"));
    co_return;
  }
  if (rooms.contains(room)) {
    send(envelope("ack", id, room, nullptr));
    co_return;
  }
  auto allowed = co_await gw->authorize(room, user_id);
  if (!allowed || closing) {
    send(error_envelope(id, "not_found", "no such room"));
    co_return;
  }
  rooms.insert(room);
  const bool first = gw->join(shared_from_this(), room);
  send(envelope("ack", id, room, nullptr));
  if (first) {
    co_await gw->presence_joined(room, user_id);
  }
}

void Session::on_unsubscribe(const bj::value& id, const std::string& room) {
  if (rooms.erase(room) > 0) {
    gw->leave(shared_from_this(), room);
  }
  send(envelope("ack", id, room, nullptr));
}

bool Gateway::Impl::join(const std::shared_ptr<Session>& s, const std::string& room) {
  std::lock_guard lock(mutex);
  auto& r = rooms[room];
  if (r.sessions.empty()) {
    std::weak_ptr<Impl> weak = shared_from_this();
    for (const auto& channel : channels_for_room(room)) {
      r.subscriptions.push_back(bus->subscribe(channel, [weak, room](const bus::Message& m) {
        if (auto self = weak.lock()) {
          self->fanout(room, m);
        }
      }));
    }
  }
  r.sessions.insert(s);
  return ++local_presence[room][s->user_id] == 1;
}

void Gateway::Impl::leave(const std::shared_ptr<Session>& s, const std::string& room) {
  std::vector<bus::Subscription> dropped;
  bool last_of_user = false;
  {
    std::lock_guard lock(mutex);
    auto it = rooms.find(room);
    if (it == rooms.end()) {
      return;
    }
    if (it->second.sessions.erase(s) == 0) {
      return;  // already out (revoked and unsubscribed at once): leave only once
    }
    if (it->second.sessions.empty()) {
      dropped = std::move(it->second.subscriptions);
      rooms.erase(it);
    }
    auto& users = local_presence[room];
    if (--users[s->user_id] <= 0) {
      users.erase(s->user_id);
      last_of_user = true;
    }
    if (users.empty()) {
      local_presence.erase(room);
    }
  }
  dropped.clear();  // unsubscribes outside our lock
  if (last_of_user && !s->user_id.empty()) {
    asio::co_spawn(ioc, presence_left(room, s->user_id, false), asio::detached);
  }
}

void Gateway::Impl::fanout(const std::string& room, const bus::Message& m) {
  // Membership changes take a user out of the project's rooms at once, on every instance.
  if (m.channel.ends_with(":members")) {
    boost::system::error_code ec;
    auto v = bj::parse(*m.payload, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.as_object();
      const auto* type = o.if_contains("type");
      const auto* data = o.if_contains("data");
      if (type != nullptr && type->is_string() && data != nullptr && data->is_object()) {
        const auto* user = data->as_object().if_contains("user_id");
        if (user != nullptr && user->is_string() &&
            (type->get_string() == "member.removed" || type->get_string() == "project.deleted")) {
          revoke(room, std::string(user->get_string()),
                 type->get_string() == "project.deleted" ? "project deleted" : "removed from project");
        }
      }
    }
  }
  std::vector<std::shared_ptr<Session>> recipients;
  {
    std::lock_guard lock(mutex);
    auto it = rooms.find(room);
    if (it == rooms.end()) {
      return;
    }
    recipients.assign(it->second.sessions.begin(), it->second.sessions.end());
  }
  for (auto& s : recipients) {
    s->send(m.payload);  // thread-safe: no hop to each connection's strand
  }
}

void Gateway::Impl::revoke(const std::string& room, const std::string& user_id, std::string_view reason) {
  std::vector<std::shared_ptr<Session>> affected;
  {
    std::lock_guard lock(mutex);
    auto it = rooms.find(room);
    if (it == rooms.end()) {
      return;
    }
    for (const auto& s : it->second.sessions) {
      if (s->user_id == user_id) {
        affected.push_back(s);
      }
    }
  }
  auto note = envelope("room.revoked", nullptr, room, bj::object{{"reason", reason}});
  for (auto& s : affected) {
    // Out of the room now, so that no later event of it (this one included) reaches them.
    leave(s, room);
    asio::post(s->ws.get_executor(), [s, room, note] {
      s->rooms.erase(room);
      s->send(note);
    });
  }
}

void Gateway::Impl::broadcast_all(const Payload& p) {
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard lock(mutex);
    all.assign(sessions.begin(), sessions.end());
  }
  for (auto& s : all) {
    s->send(p);
  }
}

awaitable<void> Gateway::Impl::presence_joined(std::string room, std::string user) {
  co_await bus->set_add(presence_key(room), one(user));
  co_await bus->set_add("presence:instance:" + iid, one(room + " " + user));
  auto joined = envelope("presence.joined", nullptr, room, presence_data(user, room));
  co_await bus->publish(presence_channel(room), *joined);
}

awaitable<bool> Gateway::Impl::held_elsewhere(const std::string& pair, const std::string& except_iid) {
  auto instances = co_await bus->set_members(std::string(instances_key));
  for (const auto& other : instances) {
    if (other == except_iid) {
      continue;
    }
    if (other != iid) {
      const std::string alive_key = "presence:instance:" + other + ":alive";
      const bool alive = co_await bus->exists(alive_key);
      if (!alive) {
        continue;
      }
    }
    const std::string other_key = "presence:instance:" + other;
    auto pairs = co_await bus->set_members(other_key);
    if (std::find(pairs.begin(), pairs.end(), pair) != pairs.end()) {
      co_return true;
    }
  }
  co_return false;
}

awaitable<void> Gateway::Impl::presence_left(std::string room, std::string user, bool from_reaper) {
  const std::string pair = room + " " + user;
  if (!from_reaper) {
    {
      // A new tab may have joined while this coroutine was queued.
      std::lock_guard lock(mutex);
      auto it = local_presence.find(room);
      if (it != local_presence.end() && it->second.contains(user)) {
        co_return;
      }
    }
    co_await bus->set_remove("presence:instance:" + iid, one(pair));
  }
  // Named, not a conditional temporary: g++ 12 destroys those twice across co_await.
  std::string except_iid;
  if (!from_reaper) {
    except_iid = iid;
  }
  if (co_await held_elsewhere(pair, except_iid)) {
    co_return;
  }
  co_await bus->set_remove(presence_key(room), one(user));
  auto left = envelope("presence.left", nullptr, room, presence_data(user, room));
  co_await bus->publish(presence_channel(room), *left);
}

awaitable<void> Gateway::Impl::reassert_presence() {
  std::vector<std::pair<std::string, std::string>> pairs;
  {
    std::lock_guard lock(mutex);
    for (const auto& [room, users] : local_presence) {
      for (const auto& [user, n] : users) {
        pairs.emplace_back(room, user);
      }
    }
  }
  co_await bus->set_add(std::string(instances_key), one(iid));
  for (const auto& [room, user] : pairs) {
    co_await bus->set_add(presence_key(room), one(user));
    co_await bus->set_add("presence:instance:" + iid, one(room + " " + user));
  }
}

awaitable<void> Gateway::Impl::reap_dead_instances() {
  auto instances = co_await bus->set_members(std::string(instances_key));
  for (const auto& other : instances) {
    if (other == iid) {
      continue;
    }
    const std::string alive_key = "presence:instance:" + other + ":alive";
    const bool alive = co_await bus->exists(alive_key);
    if (alive) {
      continue;
    }
    // An instance that stopped heart-beating died without saying goodbye: its users leave.
    auto pairs = co_await bus->set_members("presence:instance:" + other);
    co_await bus->remove("presence:instance:" + other);
    co_await bus->set_remove(std::string(instances_key), one(other));
    for (const auto& pair : pairs) {
      const auto space = pair.rfind(' ');
      if (space == std::string::npos) {
        continue;
      }
      co_await presence_left(pair.substr(0, space), pair.substr(space + 1), true);
    }
    if (!pairs.empty()) {
      spdlog::info("presence: reaped {} entries of instance {}", pairs.size(), other);
    }
  }
}

awaitable<void> Gateway::Impl::heartbeat_loop() {
  auto self = shared_from_this();
  bool first = true;
  while (!stopping) {
    try {
      if (first) {
        co_await reassert_presence();
        first = false;
      }
      co_await bus->set_with_ttl("presence:instance:" + iid + ":alive", "1", options.presence_ttl);
      co_await bus->set_add(std::string(instances_key), one(iid));
      co_await reap_dead_instances();
    } catch (const std::exception& e) {
      spdlog::warn("presence heartbeat failed: {}", e.what());
    }
    timer.expires_after(options.presence_heartbeat);
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) {
      break;
    }
  }
}

Gateway::Gateway(asio::io_context& ioc, std::shared_ptr<bus::Bus> bus, Authenticator authenticate,
                 RoomAuthorizer authorize, GatewayOptions options)
    : impl_(std::make_shared<Impl>(ioc, std::move(bus), std::move(authenticate), std::move(authorize),
                                   std::move(options))) {}

Gateway::~Gateway() = default;

void Gateway::start() {
  std::weak_ptr<Impl> weak = impl_;
  impl_->bus->on_resubscribed([weak] {
    if (auto self = weak.lock()) {
      // Events may have been missed, and Redis may have lost the presence sets.
      self->broadcast_all(envelope("resync", nullptr, {}, nullptr));
      asio::co_spawn(self->ioc, self->reassert_presence(), asio::detached);
    }
  });
  asio::co_spawn(impl_->ioc, impl_->heartbeat_loop(), asio::detached);
}

void Gateway::accept(beast::tcp_stream stream, http::BeastRequest req, http::Request info) {
  if (impl_->stopping) {
    return;
  }
  auto session = std::make_shared<Session>(std::move(stream), impl_);
  {
    std::lock_guard lock(impl_->mutex);
    impl_->sessions.insert(session);
  }
  auto ex = session->ws.get_executor();
  auto hs = std::make_unique<Session::Handshake>(Session::Handshake{std::move(req), std::move(info)});
  asio::co_spawn(ex, session->run(std::move(hs)), asio::detached);
}

void Gateway::shutdown() {
  impl_->stopping = true;
  impl_->timer.cancel();
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard lock(impl_->mutex);
    all.assign(impl_->sessions.begin(), impl_->sessions.end());
  }
  for (auto& s : all) {
    asio::post(s->ws.get_executor(), [s] {
      s->close(reason(websocket::close_code::going_away, "server shutting down"));
      s->force_close_after(std::chrono::seconds(3));
    });
  }
}

std::size_t Gateway::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

awaitable<std::vector<std::string>> Gateway::present(std::string room) {
  co_return co_await impl_->bus->set_members(presence_key(room));
}

const std::string& Gateway::instance_id() const { return impl_->iid; }

}  // namespace collabdev::realtime
