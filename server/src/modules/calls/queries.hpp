#pragma once
// SQL of calls, as named constants prepared once per connection.
#include "db/db.hpp"

namespace collabdev::calls::sql {

#define COLLABDEV_CALLS_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
// A call with its participants (every stay, in the order they joined) as one row.
#define COLLABDEV_CALL_COLUMNS                                                                              \
  "c.id, c.project_id, c.started_by, c.status, c.origin_type, c.origin_id, "                                \
  COLLABDEV_CALLS_TS("c.started_at") " AS started_at, " COLLABDEV_CALLS_TS("c.ended_at") " AS ended_at, "   \
  "floor(extract(epoch FROM coalesce(c.ended_at, clock_timestamp()) - c.started_at))::bigint AS duration_seconds, " \
  "coalesce((SELECT json_agg(json_build_object('user_id', p.user_id, 'name', u.name, 'joined_at', "        \
  COLLABDEV_CALLS_TS("p.joined_at") ", 'left_at', " COLLABDEV_CALLS_TS("p.left_at")                         \
  ") ORDER BY p.joined_at, p.id) FROM call_participants p JOIN users u ON u.id = p.user_id "                \
  "WHERE p.call_id = c.id), '[]'::json) AS participants"

inline constexpr db::Statement get_call{
    "calls_get", "SELECT " COLLABDEV_CALL_COLUMNS " FROM call_sessions c WHERE c.id = $1 AND c.project_id = $2"};

inline constexpr db::Statement list_calls{
    "calls_list",
    "SELECT " COLLABDEV_CALL_COLUMNS " FROM call_sessions c WHERE c.project_id = $1 "
    "AND ($2::varchar IS NULL OR c.status = $2) "
    "AND ($3::timestamptz IS NULL OR (c.started_at, c.id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY c.started_at DESC, c.id DESC LIMIT $5"};

// The project's active call, locked for the change that follows.
inline constexpr db::Statement lock_active_call{
    "calls_lock_active",
    "SELECT id, started_by FROM call_sessions WHERE project_id = $1 AND status = 'ACTIVE' FOR UPDATE"};

inline constexpr db::Statement lock_call{
    "calls_lock", "SELECT id, project_id, started_by, status FROM call_sessions WHERE id = $1 FOR UPDATE"};

// Nothing when the project has an active call already (the partial unique index).
inline constexpr db::Statement insert_call{
    "calls_insert",
    "INSERT INTO call_sessions (project_id, started_by, status, origin_type, origin_id) "
    "VALUES ($1, $2, 'ACTIVE', $3, $4) ON CONFLICT (project_id) WHERE status = 'ACTIVE' DO NOTHING RETURNING id"};

// Joining when already in the call changes nothing but the heartbeat.
inline constexpr db::Statement join_call{
    "calls_join",
    "INSERT INTO call_participants (call_id, user_id) VALUES ($1, $2) "
    "ON CONFLICT (call_id, user_id) WHERE left_at IS NULL DO UPDATE SET seen_at = now() "
    "RETURNING (xmax = 0) AS joined"};

inline constexpr db::Statement leave_call{
    "calls_leave",
    "UPDATE call_participants SET left_at = now() WHERE call_id = $1 AND user_id = $2 AND left_at IS NULL"};

inline constexpr db::Statement remaining_participants{
    "calls_remaining", "SELECT count(*) AS n FROM call_participants WHERE call_id = $1 AND left_at IS NULL"};

inline constexpr db::Statement end_call{
    "calls_end",
    "WITH left_now AS (UPDATE call_participants SET left_at = now() WHERE call_id = $1 AND left_at IS NULL) "
    "UPDATE call_sessions SET status = 'ENDED', ended_at = now() WHERE id = $1 AND status = 'ACTIVE'"};

inline constexpr db::Statement origin_task{
    "calls_origin_task", "SELECT 1 FROM tasks WHERE id = $1 AND project_id = $2"};
inline constexpr db::Statement origin_file{
    "calls_origin_file", "SELECT 1 FROM files WHERE id = $1 AND project_id = $2"};
inline constexpr db::Statement origin_page{
    "calls_origin_page", "SELECT 1 FROM pages WHERE id = $1 AND project_id = $2"};

// Whether the user is in the call now, and a member of its project (the call room's rule).
inline constexpr db::Statement participant{
    "calls_participant",
    "SELECT c.project_id, u.name FROM call_participants p JOIN call_sessions c ON c.id = p.call_id "
    "JOIN project_members m ON m.project_id = c.project_id AND m.user_id = p.user_id "
    "JOIN users u ON u.id = p.user_id "
    "WHERE p.call_id = $1 AND p.user_id = $2 AND p.left_at IS NULL AND c.status = 'ACTIVE'"};

inline constexpr db::Statement project_of_call{
    "calls_project_of", "SELECT project_id FROM call_sessions WHERE id = $1"};

// The sweeper: everyone in an active call, and whether they have been away longer than the TTL.
inline constexpr db::Statement active_participants{
    "calls_active_participants",
    "SELECT p.call_id, c.project_id, p.user_id, p.seen_at < now() - make_interval(secs => $1) AS stale "
    "FROM call_participants p JOIN call_sessions c ON c.id = p.call_id "
    "WHERE c.status = 'ACTIVE' AND p.left_at IS NULL ORDER BY p.call_id"};

// Connected participants: their heartbeat, written at most every third of the TTL.
inline constexpr db::Statement touch_participants{
    "calls_touch",
    "UPDATE call_participants SET seen_at = now() WHERE call_id = $1 AND user_id = ANY($2::uuid[]) "
    "AND left_at IS NULL AND seen_at < now() - make_interval(secs => $3)"};

}  // namespace collabdev::calls::sql
