#pragma once
// SQL of the tasks module, as named constants prepared once per connection. Tasks and columns are
// rendered to JSON by PostgreSQL itself (one expression per shape, below), so that a board of
// thousands of tasks is passed through as text without being parsed and re-serialised here.
#include "db/db.hpp"

namespace collabdev::tasks::sql {

#define COLLABDEV_TASKS_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// The one task shape of the API (alias t).
#define COLLABDEV_TASK_JSON                                                                          \
  "json_build_object('id', t.id, 'project_id', t.project_id, 'column_id', t.column_id, "            \
  "'title', t.title, 'description', t.description, 'status', t.status, 'assignee_id', t.assignee_id, " \
  "'due_date', to_char(t.due_date, 'YYYY-MM-DD'), 'priority', t.priority, 'position', t.position, "  \
  "'version', t.version, 'number', t.number, 'created_by', t.created_by, "                                              \
  "'created_at', " COLLABDEV_TASKS_TS("t.created_at") ", 'updated_at', " COLLABDEV_TASKS_TS("t.updated_at") ")"

// The column shape (alias c), as json_build_object arguments so that the board can add its tasks.
#define COLLABDEV_COLUMN_FIELDS                                                                       \
  "'id', c.id, 'project_id', c.project_id, 'name', c.name, 'status', c.status, 'position', c.position, " \
  "'created_at', " COLLABDEV_TASKS_TS("c.created_at")
#define COLLABDEV_COLUMN_JSON "json_build_object(" COLLABDEV_COLUMN_FIELDS ")"

// Every board write starts with this: it numbers the event that will follow the commit, and its
// row lock on the project serialises the board writes of one project (positions are computed
// under it, so concurrent moves cannot pick the same slot), taken first so that the lock order
// is the same as that of membership changes (project, then tasks).
inline constexpr db::Statement next_board_seq{
    "tasks_next_board_seq", "UPDATE projects SET board_seq = board_seq + 1 WHERE id = $1 RETURNING board_seq"};

// ---- columns ---------------------------------------------------------------------------------

inline constexpr db::Statement list_columns{
    "tasks_list_columns",
    "SELECT coalesce(json_agg(" COLLABDEV_COLUMN_JSON " ORDER BY c.position, c.id), '[]'::json)::text AS items "
    "FROM task_columns c WHERE c.project_id = $1"};

inline constexpr db::Statement get_column{
    "tasks_get_column",
    "SELECT " COLLABDEV_COLUMN_JSON "::text AS col, c.status FROM task_columns c WHERE c.id = $1 AND c.project_id = $2"};

inline constexpr db::Statement first_column{
    "tasks_first_column",
    "SELECT c.id, c.status FROM task_columns c WHERE c.project_id = $1 ORDER BY c.position, c.id LIMIT 1"};

inline constexpr db::Statement count_columns{"tasks_count_columns",
                                             "SELECT count(*) AS n FROM task_columns WHERE project_id = $1"};

// Appended after the last column; positions of a project's columns are 0..n-1.
inline constexpr db::Statement insert_column{
    "tasks_insert_column",
    "INSERT INTO task_columns AS c (project_id, name, status, position) "
    "SELECT $1::uuid, $2::text, $3::text, coalesce(max(position) + 1, 0) FROM task_columns WHERE project_id = $1::uuid "
    "RETURNING " COLLABDEV_COLUMN_JSON "::text AS col"};

inline constexpr db::Statement update_column{
    "tasks_update_column",
    "UPDATE task_columns AS c SET name = CASE WHEN $3 THEN $4 ELSE name END, "
    "status = CASE WHEN $5 THEN $6 ELSE status END WHERE c.id = $1 AND c.project_id = $2 "
    "RETURNING " COLLABDEV_COLUMN_JSON "::text AS col, c.status"};

// A task's status is its column's: a column that comes to stand for another status takes its tasks along.
inline constexpr db::Statement follow_column_status{
    "tasks_follow_column_status", "UPDATE tasks SET status = $2 WHERE column_id = $1 AND status <> $2"};

// Moves column $2 to index $3 (clamped to the end) and renumbers the others 0..n-1 around it.
inline constexpr db::Statement reorder_columns{
    "tasks_reorder_columns",
    "WITH others AS (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS rn "
    "                FROM task_columns WHERE project_id = $1 AND id <> $2), "
    "target AS (SELECT LEAST($3::bigint, (SELECT count(*) FROM others)) AS idx), "
    "ord AS (SELECT o.id, (CASE WHEN o.rn < t.idx THEN o.rn ELSE o.rn + 1 END)::int AS pos FROM others o, target t "
    "        UNION ALL SELECT $2::uuid, t.idx::int FROM target t) "
    "UPDATE task_columns c SET position = ord.pos FROM ord "
    "WHERE c.id = ord.id AND c.project_id = $1 AND c.position <> ord.pos"};

// Closes the gap a deleted column leaves.
inline constexpr db::Statement compact_columns{
    "tasks_compact_columns",
    "UPDATE task_columns c SET position = s.rn FROM "
    "(SELECT id, (row_number() OVER (ORDER BY position, id) - 1)::int AS rn FROM task_columns WHERE project_id = $1) s "
    "WHERE c.id = s.id AND c.position <> s.rn"};

inline constexpr db::Statement count_column_tasks{"tasks_count_column_tasks",
                                                  "SELECT count(*) AS n FROM tasks WHERE column_id = $1"};

// Moves every task of column $1 after the last task of column $2, keeping their order.
inline constexpr db::Statement move_column_tasks{
    "tasks_move_column_tasks",
    "UPDATE tasks t SET column_id = $2, status = $3, position = s.base + s.rn * 65536, "
    "version = t.version + 1, updated_at = now() "
    "FROM (SELECT id, row_number() OVER (ORDER BY position, id) AS rn, "
    "             (SELECT coalesce(max(position), 0) FROM tasks WHERE column_id = $2) AS base "
    "      FROM tasks WHERE column_id = $1) s "
    "WHERE t.id = s.id"};

inline constexpr db::Statement delete_column{
    "tasks_delete_column",
    "DELETE FROM task_columns AS c WHERE c.id = $1 AND c.project_id = $2 RETURNING " COLLABDEV_COLUMN_JSON "::text AS col"};

// ---- positions inside a column ----------------------------------------------------------------

// The tasks at indexes $3 and $3 + 1 of column $1, not counting task $2 (the one being placed).
inline constexpr db::Statement neighbours{
    "tasks_neighbours",
    "SELECT position FROM tasks WHERE column_id = $1 AND id <> $2 ORDER BY position, id OFFSET $3 LIMIT 2"};

inline constexpr db::Statement column_end{
    "tasks_column_end",
    "SELECT max(position) AS last, count(*) AS n FROM tasks WHERE column_id = $1 AND id <> $2"};

// Renumbers column $1 to 0, step, 2·step, ... leaving the slot at index $3 free for task $2.
inline constexpr db::Statement renumber_column{
    "tasks_renumber_column",
    "UPDATE tasks t SET position = (CASE WHEN s.rn < $3 THEN s.rn ELSE s.rn + 1 END) * 65536 "
    "FROM (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS rn "
    "      FROM tasks WHERE column_id = $1 AND id <> $2) s "
    "WHERE t.id = s.id"};

// After a bulk move: renumbers column $1 only when a position left the range JavaScript holds exactly.
inline constexpr db::Statement renumber_if_out_of_range{
    "tasks_renumber_if_out_of_range",
    "UPDATE tasks t SET position = s.rn * 65536 "
    "FROM (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS rn FROM tasks WHERE column_id = $1) s "
    "WHERE t.id = s.id AND EXISTS "
    "(SELECT 1 FROM tasks WHERE column_id = $1 AND abs(position) > 9007199254740991)"};

// ---- tasks -----------------------------------------------------------------------------------

inline constexpr db::Statement is_member{
    "tasks_is_member", "SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2"};

// The task takes the project's next short number (#42) under the board write's project lock.
inline constexpr db::Statement insert_task{
    "tasks_insert",
    "WITH n AS (UPDATE projects SET task_seq = task_seq + 1 WHERE id = $1 RETURNING task_seq) "
    "INSERT INTO tasks AS t (project_id, column_id, title, description, status, assignee_id, due_date, priority, "
    "created_by, position, number) VALUES ($1, $2, $3, $4, $5, $6::uuid, $7::date, $8, $9, $10, (SELECT task_seq FROM n)) "
    "RETURNING " COLLABDEV_TASK_JSON "::text AS task, t.version, t.id"};

inline constexpr db::Statement get_task{
    "tasks_get", "SELECT " COLLABDEV_TASK_JSON "::text AS task, t.version FROM tasks t WHERE t.id = $1 AND t.project_id = $2"};

inline constexpr db::Statement lock_task{
    "tasks_lock",
    "SELECT " COLLABDEV_TASK_JSON "::text AS task, t.version, t.column_id, t.position "
    "FROM tasks t WHERE t.id = $1 AND t.project_id = $2 FOR UPDATE"};

inline constexpr db::Statement update_task{
    "tasks_update",
    "UPDATE tasks AS t SET title = CASE WHEN $2 THEN $3 ELSE title END, "
    "description = CASE WHEN $4 THEN $5 ELSE description END, "
    "assignee_id = CASE WHEN $6 THEN $7::uuid ELSE assignee_id END, "
    "due_date = CASE WHEN $8 THEN $9::date ELSE due_date END, "
    "priority = CASE WHEN $10 THEN $11 ELSE priority END, "
    "version = t.version + 1, updated_at = now() WHERE t.id = $1 "
    "RETURNING " COLLABDEV_TASK_JSON "::text AS task, t.version"};

inline constexpr db::Statement place_task{
    "tasks_place",
    "UPDATE tasks AS t SET column_id = $2, status = $3, position = $4, version = t.version + 1, updated_at = now() "
    "WHERE t.id = $1 RETURNING " COLLABDEV_TASK_JSON "::text AS task, t.version"};

inline constexpr db::Statement delete_task{"tasks_delete", "DELETE FROM tasks WHERE id = $1"};

// The whole board in one statement (one snapshot, so board_seq matches the content), rendered by
// PostgreSQL; each column's tasks come from an ordered scan of idx_tasks_column_position.
inline constexpr db::Statement board{
    "tasks_board",
    "SELECT json_build_object('project_id', p.id, 'board_seq', p.board_seq, 'columns', coalesce(("
    "  SELECT json_agg(json_build_object(" COLLABDEV_COLUMN_FIELDS ", 'tasks', coalesce(("
    "    SELECT json_agg(" COLLABDEV_TASK_JSON " ORDER BY t.position, t.id) FROM tasks t WHERE t.column_id = c.id"
    "  ), '[]'::json)) ORDER BY c.position, c.id) FROM task_columns c WHERE c.project_id = p.id"
    "), '[]'::json))::text AS board, p.board_seq FROM projects p WHERE p.id = $1"};

// What a cached board is checked against (see board_cache.hpp).
inline constexpr db::Statement board_seq{"tasks_board_seq", "SELECT board_seq FROM projects WHERE id = $1"};

// ---- the filtered, sorted, paginated list ------------------------------------------------------
// Parameters: $1 project, $2 column_id, $3 assignee_id, $4 only unassigned, $5 statuses (text[]),
// $6 priorities (text[]), $7 due on or before, $8 due on or after, $9 text query, $10 $11 $12 the
// cursor's keys and id, $13 the page size plus one. Each order is a total order on (k1, k2, id);
// k2 is a constant for orders with one key. The text search expression is the one of
// idx_tasks_fts, so that the GIN index serves it.
#define COLLABDEV_TASKS_LIST(k1, k1_text, k1_type, k2, k2_text, k2_type, cmp, dir)                           \
  "SELECT " COLLABDEV_TASK_JSON "::text AS task, " k1_text " AS k1, " k2_text " AS k2, t.id "                \
  "FROM tasks t JOIN task_columns c ON c.id = t.column_id "                                                  \
  "WHERE t.project_id = $1 AND ($2::uuid IS NULL OR t.column_id = $2) "                                      \
  "AND ($3::uuid IS NULL OR t.assignee_id = $3) AND ($4::boolean IS NOT TRUE OR t.assignee_id IS NULL) "     \
  "AND ($5::text[] IS NULL OR t.status = ANY($5)) AND ($6::text[] IS NULL OR t.priority = ANY($6)) "         \
  "AND ($7::date IS NULL OR t.due_date <= $7) AND ($8::date IS NULL OR t.due_date >= $8) "                   \
  "AND ($9::text IS NULL OR to_tsvector('simple', coalesce(t.title, '') || ' ' || coalesce(t.description, '')) " \
  "     @@ websearch_to_tsquery('simple', $9)) "                                                             \
  "AND ($12::uuid IS NULL OR (" k1 ", " k2 ", t.id) " cmp " ($10::" k1_type ", $11::" k2_type ", $12)) "     \
  "ORDER BY " k1 " " dir ", " k2 " " dir ", t.id " dir " LIMIT $13"

#define COLLABDEV_TS_KEY(col) col, COLLABDEV_TASKS_TS(col), "timestamptz", "0::bigint", "'0'", "bigint"
#define COLLABDEV_PRIORITY_KEY(none)                                                                   \
  "(CASE t.priority WHEN 'LOW' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'HIGH' THEN 3 ELSE " none " END)",      \
      "(CASE t.priority WHEN 'LOW' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'HIGH' THEN 3 ELSE " none " END)::text", \
      "integer", "0::bigint", "'0'", "bigint"
#define COLLABDEV_DUE_KEY(none)                                                                        \
  "coalesce(t.due_date, '" none "'::date)",                                                            \
      "CASE WHEN t.due_date IS NULL THEN '" none "' ELSE to_char(t.due_date, 'YYYY-MM-DD') END", "date", \
      "0::bigint", "'0'", "bigint"
#define COLLABDEV_LIST_EXPAND(x) x
#define COLLABDEV_LIST(...) COLLABDEV_LIST_EXPAND(COLLABDEV_TASKS_LIST(__VA_ARGS__))

inline constexpr db::Statement list_by_position{
    "tasks_list_position",
    COLLABDEV_LIST("c.position", "c.position::text", "integer", "t.position", "t.position::text", "bigint", ">", "ASC")};
inline constexpr db::Statement list_by_created{"tasks_list_created",
                                               COLLABDEV_LIST(COLLABDEV_TS_KEY("t.created_at"), ">", "ASC")};
inline constexpr db::Statement list_by_created_desc{"tasks_list_created_desc",
                                                    COLLABDEV_LIST(COLLABDEV_TS_KEY("t.created_at"), "<", "DESC")};
inline constexpr db::Statement list_by_updated{"tasks_list_updated",
                                               COLLABDEV_LIST(COLLABDEV_TS_KEY("t.updated_at"), ">", "ASC")};
inline constexpr db::Statement list_by_updated_desc{"tasks_list_updated_desc",
                                                    COLLABDEV_LIST(COLLABDEV_TS_KEY("t.updated_at"), "<", "DESC")};
inline constexpr db::Statement list_by_due{"tasks_list_due", COLLABDEV_LIST(COLLABDEV_DUE_KEY("infinity"), ">", "ASC")};
inline constexpr db::Statement list_by_due_desc{"tasks_list_due_desc",
                                                COLLABDEV_LIST(COLLABDEV_DUE_KEY("-infinity"), "<", "DESC")};
inline constexpr db::Statement list_by_priority{"tasks_list_priority",
                                                COLLABDEV_LIST(COLLABDEV_PRIORITY_KEY("4"), ">", "ASC")};
inline constexpr db::Statement list_by_priority_desc{"tasks_list_priority_desc",
                                                     COLLABDEV_LIST(COLLABDEV_PRIORITY_KEY("0"), "<", "DESC")};

}  // namespace collabdev::tasks::sql
