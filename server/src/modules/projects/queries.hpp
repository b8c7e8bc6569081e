#pragma once
// SQL of the projects module, as named constants prepared once per connection.
#include "db/db.hpp"

namespace collabdev::projects::sql {

#define COLLABDEV_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define COLLABDEV_PROJECT_COLUMNS                                                              \
  "p.id, p.name, p.description, p.created_by, " COLLABDEV_TS("p.created_at") " AS created_at, " \
  COLLABDEV_TS("p.updated_at") " AS updated_at"

inline constexpr db::Statement role_of{
    "projects_role_of", "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2"};

// The role read again under the lock, with the caller's name for the events of the write.
inline constexpr db::Statement role_and_name_of{
    "projects_role_and_name_of",
    "SELECT m.role, u.name FROM project_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.project_id = $1 AND m.user_id = $2"};

inline constexpr db::Statement insert_project{
    "projects_insert",
    "INSERT INTO projects AS p (name, description, created_by) VALUES ($1, $2, $3) RETURNING " COLLABDEV_PROJECT_COLUMNS};

inline constexpr db::Statement insert_owner{
    "projects_insert_owner",
    "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'OWNER')"};

// The default board: To Do, In Progress, Done, created with the project.
inline constexpr db::Statement insert_default_columns{
    "projects_insert_default_columns",
    "INSERT INTO task_columns (project_id, name, position, status) VALUES "
    "($1, 'To Do', 0, 'TODO'), ($1, 'In Progress', 1, 'IN_PROGRESS'), ($1, 'Done', 2, 'DONE')"};

inline constexpr db::Statement get_project{
    "projects_get",
    "SELECT " COLLABDEV_PROJECT_COLUMNS ", m.role FROM projects p "
    "JOIN project_members m ON m.project_id = p.id AND m.user_id = $2 WHERE p.id = $1"};

inline constexpr db::Statement list_mine{
    "projects_list_mine",
    "SELECT " COLLABDEV_PROJECT_COLUMNS ", m.role FROM projects p "
    "JOIN project_members m ON m.project_id = p.id AND m.user_id = $1 "
    "WHERE ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT $4"};

inline constexpr db::Statement update_project{
    "projects_update",
    "UPDATE projects AS p SET name = CASE WHEN $2 THEN $3 ELSE name END, "
    "description = CASE WHEN $4 THEN $5 ELSE description END, updated_at = now() "
    "WHERE id = $1 RETURNING " COLLABDEV_PROJECT_COLUMNS};

inline constexpr db::Statement delete_project{"projects_delete", "DELETE FROM projects WHERE id = $1"};

// Serialises membership changes of one project (the at-least-one-OWNER rule), and every write
// of the project against them: board writes' UPDATE of board_seq and lock_project_content wait
// for it, and it waits for them.
inline constexpr db::Statement lock_project{"projects_lock",
                                            "SELECT id FROM projects WHERE id = $1 FOR UPDATE"};
// Writes of content (chat) against membership changes only: FOR KEY SHARE conflicts with
// FOR UPDATE alone, so such writes do not wait for one another nor for board writes.
inline constexpr db::Statement lock_project_content{"projects_lock_content",
                                                    "SELECT id FROM projects WHERE id = $1 FOR KEY SHARE"};

inline constexpr db::Statement count_owners{
    "projects_count_owners", "SELECT count(*) AS n FROM project_members WHERE project_id = $1 AND role = 'OWNER'"};

#define COLLABDEV_MEMBER_COLUMNS \
  "m.user_id, u.email, u.name, u.avatar_url, m.role, " COLLABDEV_TS("m.joined_at") " AS joined_at"

inline constexpr db::Statement list_members{
    "projects_list_members",
    "SELECT " COLLABDEV_MEMBER_COLUMNS " FROM project_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.project_id = $1 ORDER BY m.joined_at, m.user_id"};

inline constexpr db::Statement get_member{
    "projects_get_member",
    "SELECT " COLLABDEV_MEMBER_COLUMNS " FROM project_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.project_id = $1 AND m.user_id = $2"};

inline constexpr db::Statement user_by_email{"projects_user_by_email",
                                             "SELECT id FROM users WHERE lower(email) = lower($1)"};

inline constexpr db::Statement insert_member{
    "projects_insert_member",
    "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"};

inline constexpr db::Statement set_role{
    "projects_set_role", "UPDATE project_members SET role = $3 WHERE project_id = $1 AND user_id = $2"};

inline constexpr db::Statement delete_member{
    "projects_delete_member", "DELETE FROM project_members WHERE project_id = $1 AND user_id = $2"};

// A member who leaves keeps no tasks: they are unassigned in the same transaction.
inline constexpr db::Statement unassign_tasks{
    "projects_unassign_tasks",
    "UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = now() "
    "WHERE project_id = $1 AND assignee_id = $2 RETURNING id"};

// Open boards learn of the unassignment through the board sequence, like any board write.
inline constexpr db::Statement bump_board_seq{
    "projects_bump_board_seq", "UPDATE projects SET board_seq = board_seq + 1 WHERE id = $1 RETURNING board_seq"};

}  // namespace collabdev::projects::sql
