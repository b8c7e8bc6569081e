#pragma once
// The `project:<id>` room kind of the realtime gateway: members of the project may subscribe; it
// carries the project's board, chat, membership and presence channels; `member.removed` and
// `project.deleted` take the user concerned out; clients may send `typing` (one per 3 s per
// user and project). Registered by main.
#include <memory>
#include <optional>

#include <boost/json/object.hpp>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "modules/projects/projects.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::presence {

// Who a membership event of a project (`member.removed`, `project.deleted`) takes out, and why.
// Every room kind whose rooms belong to a project revokes on these.
std::optional<realtime::Revocation> revocation_of_membership_event(const bus::Message& message);

realtime::RoomKind project_room(std::shared_ptr<bus::Bus> bus, projects::ProjectsService& projects);

// What presence.joined shows of a user: {name, avatar_url}.
awaitable<boost::json::object> user_profile(db::Pool& pool, std::string user_id);

}  // namespace collabdev::presence
