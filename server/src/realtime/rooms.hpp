#pragma once
// Rooms: the registered room kinds, who is in which room, the bus subscriptions that feed each
// room (held while it has a local client), fan-out of one shared payload to every member, and
// revocation (a member taken out gets `room.revoked` and nothing of the room after it).
//
// Joining is two-step so that no removal is missed: a client first joins *pending* (the room's
// channels are subscribed, it receives nothing, but a revocation of it is remembered), is then
// authorised, and only then activated; a revocation that came in meanwhile refuses activation.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/bus.hpp"
#include "realtime/client.hpp"
#include "realtime/presence_tracker.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::realtime {

// A room named by a client, resolved to its kind and canonical id.
struct RoomName {
  const RoomKind* kind = nullptr;
  std::string id;    // canonical (lower-case UUID)
  std::string room;  // `<kind>:<id>`
};

class Rooms : public std::enable_shared_from_this<Rooms> {
 public:
  Rooms(std::shared_ptr<bus::Bus> bus, std::shared_ptr<PresenceTracker> presence);

  void add_kind(RoomKind kind);  // before any client joins
  // Nullopt when the kind is not registered or the id is not a UUID (any case).
  std::optional<RoomName> resolve(std::string_view room) const;
  std::vector<const RoomKind*> kinds() const;

  // Puts the client in the room, pending; returns the room's channels (for the caller to wait
  // until the bus confirms them): `looked_up` when the kind looks them up, else its `channels`.
  std::vector<std::string> join_pending(const RoomName& name, const std::shared_ptr<Client>& client,
                                        std::optional<std::vector<std::string>> looked_up = std::nullopt);
  struct Activated {
    bool ok = false;          // false: revoked or gone while pending (the client is out)
    bool first_of_user = false;  // the user's first connection in the room on this instance
  };
  Activated activate(const RoomName& name, const std::shared_ptr<Client>& client);
  // Takes the client out; false when it was not in (already revoked).
  bool leave(const std::string& room, const std::shared_ptr<Client>& client);
  // Takes the users out of the room; each active connection of theirs gets `room.revoked`.
  void revoke(const std::string& room, const std::vector<std::string>& user_ids, std::string_view reason);

  // Every (room, user) with an active connection here, for re-authorisation after a reconnect.
  std::vector<std::pair<RoomName, std::string>> members() const;
  // True when `key` was seen less than `interval` ago (then it is dropped); records it otherwise.
  bool throttled(const std::string& key, std::chrono::milliseconds interval);

 private:
  struct Member {
    std::shared_ptr<Client> client;
    bool active = false;
    bool revoked = false;
  };
  using Recipients = std::shared_ptr<const std::vector<std::shared_ptr<Client>>>;
  struct Room {
    RoomName name;
    std::unordered_map<Client*, Member> members;
    std::vector<bus::Subscription> subscriptions;
    // The active members as fan-out sends to them, rebuilt by the first broadcast after a
    // change: a broadcast copies one pointer under the lock, not one per recipient.
    Recipients recipients;
  };
  void fanout(const std::string& room, const bus::Message& m);
  // Removes a member; the caller holds mutex_. Returns true when it was active and the user's
  // last here (its presence must then leave), and moves the room's subscriptions to `dropped`
  // when it was the room's last member.
  bool erase_member(std::unordered_map<std::string, Room>::iterator it, Client* client,
                    std::vector<bus::Subscription>& dropped);

  std::shared_ptr<bus::Bus> bus_;
  std::shared_ptr<PresenceTracker> presence_;
  std::unordered_map<std::string, RoomKind> kinds_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Room> rooms_;
  std::mutex throttle_mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_seen_;
  std::size_t sweep_at_ = 4096;
};

}  // namespace collabdev::realtime
