#pragma once
// The `call:<id>` room kind of the realtime gateway: a call's signalling. Only its participants
// (members of the project who are in the call now) may subscribe; being in the room is what
// keeps a participant in the call (its presence is the heartbeat the sweeper reads). Client
// messages: `call.signal` (an offer, answer or ICE candidate addressed to one participant, who
// alone receives it, on whatever instance) and `call.state` (muted, camera, screen share,
// speaking: to everyone in the call, throttled). A participant who leaves, everyone when the call
// ends, and a member removed from the project are taken out of the room.
// Registered by main; docs/websocket.md and docs/calls.md describe the messages.
#include <memory>

#include "bus/bus.hpp"
#include "modules/calls/calls.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::calls {

realtime::RoomKind call_room(std::shared_ptr<bus::Bus> bus, CallsService& calls);

}  // namespace collabdev::calls
