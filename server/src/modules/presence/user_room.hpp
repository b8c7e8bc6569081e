#pragma once
// The `user:<id>` room kind: a user's own room, which only that user may join. It carries the
// user's membership changes in every project (added, role changed, removed, project deleted), so
// that a projects list follows them without polling. Registered by main.
#include "realtime/room_kind.hpp"

namespace collabdev::presence {

realtime::RoomKind user_room();

}  // namespace collabdev::presence
