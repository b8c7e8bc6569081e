#include "modules/presence/user_room.hpp"

#include "bus/channels.hpp"

namespace collabdev::presence {

realtime::RoomKind user_room() {
  realtime::RoomKind kind;
  kind.name = "user";
  // Ids reach here canonical; anyone else's room is refused like a missing one.
  kind.authorize = [](std::string id, std::string user) -> awaitable<bool> { co_return id == user; };
  kind.channels = [](std::string_view id) { return std::vector<std::string>{channels::user_projects(id)}; };
  kind.presence = false;
  return kind;
}

}  // namespace collabdev::presence
