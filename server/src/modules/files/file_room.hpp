#pragma once
// The `file:<id>` room kind of the realtime gateway: editing a file together. Members of the
// file's project may subscribe; the room carries the file's edits channel (accepted updates,
// cursors), its presence (who has the file open) and the project's membership channel, so that
// a member removed from the project, or the project deleted, leaves its file rooms too. Client
// messages: `file.push` and `file.pull` (the authority, FilesService) and `file.cursor`
// (throttled, never stored). Registered by main; docs/websocket.md describes the messages.
#include <memory>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "modules/files/files.hpp"
#include "modules/projects/projects.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::files {

realtime::RoomKind file_room(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, FilesService& files,
                             projects::ProjectsService& projects);

}  // namespace collabdev::files
