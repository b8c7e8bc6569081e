#include "realtime/rooms.hpp"

#include <algorithm>
#include <unordered_set>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "realtime/protocol.hpp"

namespace collabdev::realtime {

namespace bj = boost::json;

Rooms::Rooms(std::shared_ptr<bus::Bus> bus, std::shared_ptr<PresenceTracker> presence)
    : bus_(std::move(bus)), presence_(std::move(presence)) {}

void Rooms::add_kind(RoomKind kind) {
  auto name = kind.name;
  kinds_.insert_or_assign(std::move(name), std::move(kind));
}

std::optional<RoomName> Rooms::resolve(std::string_view room) const {
  const auto colon = room.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto kind = kinds_.find(std::string(room.substr(0, colon)));
  if (kind == kinds_.end()) {
    return std::nullopt;
  }
  auto id = ids::canonical(room.substr(colon + 1));
  if (!id) {
    return std::nullopt;
  }
  RoomName name;
  name.kind = &kind->second;
  name.room = kind->first + ":" + *id;
  name.id = std::move(*id);
  return name;
}

std::vector<const RoomKind*> Rooms::kinds() const {
  std::vector<const RoomKind*> out;
  out.reserve(kinds_.size());
  for (const auto& [name, kind] : kinds_) {
    out.push_back(&kind);
  }
  return out;
}

std::vector<std::string> Rooms::join_pending(const RoomName& name, const std::shared_ptr<Client>& client,
                                            std::optional<std::vector<std::string>> looked_up) {
  auto channels = looked_up ? std::move(*looked_up) : name.kind->channels(name.id);
  std::lock_guard lock(mutex_);
  auto [it, created] = rooms_.try_emplace(name.room);
  Room& r = it->second;
  if (created) {
    r.name = name;
    std::weak_ptr<Rooms> weak = shared_from_this();
    for (const auto& channel : channels) {
      r.subscriptions.push_back(bus_->subscribe(channel, [weak, room = name.room](const bus::Message& m) {
        if (auto self = weak.lock()) {
          self->fanout(room, m);
        }
      }));
    }
  }
  r.members.insert_or_assign(client.get(), Member{client, false, false});
  r.recipients.reset();
  return channels;
}

Rooms::Activated Rooms::activate(const RoomName& name, const std::shared_ptr<Client>& client) {
  Activated result;
  std::vector<bus::Subscription> dropped;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(name.room);
    if (it == rooms_.end()) {
      return result;
    }
    auto m = it->second.members.find(client.get());
    if (m == it->second.members.end()) {
      return result;
    }
    if (m->second.revoked) {
      erase_member(it, client.get(), dropped);
    } else {
      m->second.active = true;
      it->second.recipients.reset();
      result.ok = true;
      result.first_of_user = name.kind->presence && presence_->enter(name.room, client->user_id);
    }
  }
  dropped.clear();  // unsubscribes outside our lock
  return result;
}

bool Rooms::erase_member(std::unordered_map<std::string, Room>::iterator it, Client* client,
                         std::vector<bus::Subscription>& dropped) {
  auto m = it->second.members.find(client);
  const bool track = m->second.active && it->second.name.kind->presence;
  const bool last = track && presence_->exit(it->first, client->user_id);
  it->second.members.erase(m);
  it->second.recipients.reset();
  if (it->second.members.empty()) {
    dropped = std::move(it->second.subscriptions);
    rooms_.erase(it);
  }
  return last;
}

bool Rooms::leave(const std::string& room, const std::shared_ptr<Client>& client) {
  std::vector<bus::Subscription> dropped;
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end() || !it->second.members.contains(client.get())) {
      return false;  // already out (revoked and unsubscribed at once): leave only once
    }
    last = erase_member(it, client.get(), dropped);
  }
  dropped.clear();
  if (last) {
    presence_->left(room, client->user_id);
  }
  return true;
}

void Rooms::revoke(const std::string& room, const std::vector<std::string>& user_ids, std::string_view reason) {
  std::vector<std::shared_ptr<Client>> affected;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      return;
    }
    for (auto& [ptr, member] : it->second.members) {
      if (std::find(user_ids.begin(), user_ids.end(), member.client->user_id) == user_ids.end()) {
        continue;
      }
      if (member.active) {
        affected.push_back(member.client);
      } else {
        member.revoked = true;  // its authorisation may predate this: activation is refused
      }
    }
  }
  auto note = envelope("room.revoked", nullptr, room, bj::object{{"reason", reason}});
  for (auto& client : affected) {
    // Out of the room now, so that no later event of it (this one included) reaches them.
    if (leave(room, client)) {
      asio::post(client->strand(), [client, room, note] {
        client->rooms.erase(room);
        client->send(note);
      });
    }
  }
}

void Rooms::fanout(const std::string& room, const bus::Message& m) {
  const RoomKind* kind = nullptr;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      return;
    }
    kind = it->second.name.kind;
    if (kind->revocations || kind->recipient) {
      id = it->second.name.id;
    }
  }
  if (kind->revocations) {
    if (auto revocation = kind->revocations(id, m)) {
      revoke(room, revocation->user_ids, revocation->reason);
    }
  }
  // Connections join several envelopes into one frame, one per line: an envelope must be one
  // line. Every envelope the server writes is (JSON escapes a newline); a payload from elsewhere
  // on the bus that is not is rewritten once here, for all its recipients.
  Payload payload = m.payload;
  if (payload->find('\n') != std::string::npos) {
    boost::system::error_code ec;
    auto v = bj::parse(*payload, ec);
    if (ec) {
      spdlog::warn("gateway: dropped a message of {} that is not JSON", m.channel);
      return;
    }
    payload = std::make_shared<const std::string>(bj::serialize(v));
  }
  // A message addressed to one member of the room (a call's signal) reaches only that user.
  std::optional<std::string> addressee;
  if (kind->recipient) {
    addressee = kind->recipient(id, m);
  }
  Recipients recipients;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      return;
    }
    auto& r = it->second;
    if (!r.recipients) {
      auto list = std::make_shared<std::vector<std::shared_ptr<Client>>>();
      list->reserve(r.members.size());
      for (const auto& [ptr, member] : r.members) {
        if (member.active) {
          list->push_back(member.client);
        }
      }
      r.recipients = std::move(list);
    }
    recipients = r.recipients;
  }
  for (const auto& client : *recipients) {
    if (!addressee || client->user_id == *addressee) {
      client->send(payload);  // thread-safe: no hop to each connection's strand
    }
  }
}

std::vector<std::pair<RoomName, std::string>> Rooms::members() const {
  std::vector<std::pair<RoomName, std::string>> out;
  std::lock_guard lock(mutex_);
  for (const auto& [room, r] : rooms_) {
    std::unordered_set<std::string> users;
    for (const auto& [ptr, member] : r.members) {
      if (member.active && users.insert(member.client->user_id).second) {
        out.emplace_back(r.name, member.client->user_id);
      }
    }
  }
  return out;
}

bool Rooms::throttled(const std::string& key, std::chrono::milliseconds interval) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(throttle_mutex_);
  auto [it, fresh] = last_seen_.try_emplace(key, now);
  if (!fresh) {
    if (now - it->second < interval) {
      return true;
    }
    it->second = now;
  }
  // Forget old entries now and then so the map follows the active users, not all users ever.
  if (fresh && last_seen_.size() >= sweep_at_) {
    std::erase_if(last_seen_, [&](const auto& kv) { return now - kv.second > std::chrono::minutes(1); });
    sweep_at_ = std::max<std::size_t>(4096, last_seen_.size() * 2);
  }
  return false;
}

}  // namespace collabdev::realtime
