#pragma once
// Every Redis channel and key the server uses, named once (the seed's names, plus the few the
// product added: membership, presence events, instance heartbeats and session revocation).
// Ids passed here are already canonical (lower-case UUIDs): callers canonicalise at the boundary.
#include <string>
#include <string_view>

namespace collabdev::channels {

inline std::string join(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s;
  s.reserve(a.size() + b.size() + c.size());
  s.append(a).append(b).append(c);
  return s;
}

// Rooms of the realtime protocol: `<kind>:<id>`.
inline std::string project_room(std::string_view project_id) { return join("project:", project_id); }
inline std::string file_room(std::string_view file_id) { return join("file:", file_id); }
inline std::string page_room(std::string_view page_id) { return join("page:", page_id); }
inline std::string call_room(std::string_view call_id) { return join("call:", call_id); }
inline std::string user_room(std::string_view user_id) { return join("user:", user_id); }

// Pub/sub channels of the seed: ws:project:<id>:tasks, ws:project:<id>:chat,
// ws:file:<id>:edits, ws:page:<id>:edits, ws:call:<id>:signal (a call's signalling addressed to
// one participant, its participants' state, and its own leave and end events).
inline std::string project_tasks(std::string_view project_id) { return join("ws:project:", project_id, ":tasks"); }
inline std::string project_chat(std::string_view project_id) { return join("ws:project:", project_id, ":chat"); }
// Membership changes (added, updated, removed, project deleted): the gateway revokes on these.
inline std::string project_members(std::string_view project_id) {
  return join("ws:project:", project_id, ":members");
}
// A user's memberships in every project, for their own `user:<id>` room: the same events as
// project_members, each also sent here for the user it concerns.
inline std::string user_projects(std::string_view user_id) { return join("ws:user:", user_id, ":projects"); }
// The file tree of a project (file.created, file.renamed, file.deleted).
inline std::string project_files(std::string_view project_id) { return join("ws:project:", project_id, ":files"); }
// Links between the project's artifacts (link.created, link.deleted).
inline std::string project_links(std::string_view project_id) { return join("ws:project:", project_id, ":links"); }
// Calls of a project (call.started, call.joined, call.left, call.ended), for its project room.
inline std::string project_calls(std::string_view project_id) { return join("ws:project:", project_id, ":calls"); }
inline std::string file_edits(std::string_view file_id) { return join("ws:file:", file_id, ":edits"); }
inline std::string page_edits(std::string_view page_id) { return join("ws:page:", page_id, ":edits"); }
inline std::string call_signal(std::string_view call_id) { return join("ws:call:", call_id, ":signal"); }

// Presence: the seed's set `presence:<room>` (presence:project:<id>, presence:file:<id>, ...),
// the events channel `ws:<room>:presence`, and each instance's heartbeat and held pairs.
inline std::string presence_set(std::string_view room) { return join("presence:", room); }
inline std::string presence_events(std::string_view room) { return join("ws:", room, ":presence"); }
inline constexpr std::string_view presence_instances = "presence:instances";
inline std::string presence_instance(std::string_view instance_id) { return join("presence:instance:", instance_id); }
inline std::string presence_instance_alive(std::string_view instance_id) {
  return join("presence:instance:", instance_id, ":alive");
}

// Signed-out sessions: every instance closes the sockets they authenticated.
// Payload: {"session_ids": ["<user_sessions.id>", ...]}.
inline constexpr std::string_view sessions_revoked = "ws:sessions:revoked";

}  // namespace collabdev::channels
