#pragma once
// SQL of project chat, as named constants prepared once per connection.
#include "db/db.hpp"

namespace collabdev::chat::sql {

#define COLLABDEV_CHAT_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
// A deleted message keeps its place in the history but not its content (a tombstone).
#define COLLABDEV_MESSAGE_COLUMNS                                                                     \
  "m.id, m.project_id, m.author_id, u.name AS author_name, "                                           \
  "CASE WHEN m.deleted_at IS NULL THEN m.content END AS content, m.reply_to_id, "                     \
  COLLABDEV_CHAT_TS("m.created_at") " AS created_at, " COLLABDEV_CHAT_TS("m.edited_at") " AS edited_at, " \
  COLLABDEV_CHAT_TS("m.deleted_at") " AS deleted_at"

inline constexpr db::Statement insert_message{
    "chat_insert",
    "WITH m AS (INSERT INTO messages (project_id, author_id, content, reply_to_id) VALUES ($1, $2, $3, $4) "
    "RETURNING *) SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM m JOIN users u ON u.id = m.author_id"};

inline constexpr db::Statement message_in_project{
    "chat_message_in_project", "SELECT 1 FROM messages WHERE id = $1 AND project_id = $2"};

inline constexpr db::Statement get_message{
    "chat_get",
    "SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM messages m JOIN users u ON u.id = m.author_id "
    "WHERE m.id = $1 AND m.project_id = $2"};

inline constexpr db::Statement list_before{
    "chat_list_before",
    "SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM messages m JOIN users u ON u.id = m.author_id "
    "WHERE m.project_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, m.id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY m.created_at DESC, m.id DESC LIMIT $4"};

inline constexpr db::Statement list_after{
    "chat_list_after",
    "SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM messages m JOIN users u ON u.id = m.author_id "
    "WHERE m.project_id = $1 AND (m.created_at, m.id) > ($2::timestamptz, $3::uuid) "
    "ORDER BY m.created_at ASC, m.id ASC LIMIT $4"};

inline constexpr db::Statement edit_message{
    "chat_edit",
    "WITH m AS (UPDATE messages SET content = $3, edited_at = now() WHERE id = $1 AND project_id = $2 "
    "AND deleted_at IS NULL RETURNING *) SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM m JOIN users u ON u.id = m.author_id"};

inline constexpr db::Statement delete_message{
    "chat_delete",
    "WITH m AS (UPDATE messages SET deleted_at = now() WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL "
    "RETURNING *) SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM m JOIN users u ON u.id = m.author_id"};

inline constexpr db::Statement message_owner{
    "chat_message_owner", "SELECT author_id, deleted_at IS NOT NULL AS deleted FROM messages WHERE id = $1 AND project_id = $2"};

}  // namespace collabdev::chat::sql
