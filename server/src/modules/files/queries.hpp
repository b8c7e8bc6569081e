#pragma once
// SQL of the files module, as named constants prepared once per connection. File metadata is
// rendered to JSON by PostgreSQL (one shape, below); the text itself is passed as a column.
#include "db/db.hpp"

namespace collabdev::files::sql {

#define COLLABDEV_FILES_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// The file shape of the API without its text (alias f).
#define COLLABDEV_FILE_FIELDS                                                                          \
  "'id', f.id, 'project_id', f.project_id, 'path', f.path, 'name', f.name, 'type', f.type, "            \
  "'language', f.language, 'size', f.size, 'version', f.version, 'created_by', f.created_by, "          \
  "'updated_by', f.updated_by, 'created_at', " COLLABDEV_FILES_TS("f.created_at") ", "                  \
  "'updated_at', " COLLABDEV_FILES_TS("f.updated_at")
#define COLLABDEV_FILE_JSON "json_build_object(" COLLABDEV_FILE_FIELDS ")"
#define COLLABDEV_FILE_WITH_CONTENT_JSON "json_build_object(" COLLABDEV_FILE_FIELDS ", 'content', f.content)"

// Events carry the file without its text (`meta`): a tree event must stay small whatever the file
// holds; clients read the text when they open the file.

// A page of the tree in path order (bytewise, so that it is the same on every database locale),
// after the cursor's path, under an optional prefix.
inline constexpr db::Statement list_files{
    "files_list",
    "SELECT " COLLABDEV_FILE_JSON "::text AS file, f.path FROM files f "
    "WHERE f.project_id = $1 AND ($2::text IS NULL OR starts_with(f.path, $2)) "
    "AND ($3::text IS NULL OR f.path COLLATE \"C\" > $3 COLLATE \"C\") "
    "ORDER BY f.path COLLATE \"C\" LIMIT $4"};

inline constexpr db::Statement get_file{
    "files_get",
    "SELECT " COLLABDEV_FILE_WITH_CONTENT_JSON "::text AS file, f.version, f.type, f.name, f.content "
    "FROM files f WHERE f.id = $1 AND f.project_id = $2"};

// The file, locked for a write (rename, delete, push).
inline constexpr db::Statement lock_file{
    "files_lock",
    "SELECT " COLLABDEV_FILE_WITH_CONTENT_JSON "::text AS file, f.project_id, f.version, f.type, f.name, f.path, "
    "f.content, f.size, f.log_start FROM files f WHERE f.id = $1 FOR UPDATE"};

inline constexpr db::Statement project_of_file{"files_project_of",
                                               "SELECT project_id, type FROM files WHERE id = $1"};

// Bytes used by the project's files, except file $2 (whose new size the caller adds).
inline constexpr db::Statement project_bytes{
    "files_project_bytes",
    "SELECT coalesce(sum(size), 0)::bigint AS bytes FROM files WHERE project_id = $1 AND id <> $2::uuid"};

inline constexpr db::Statement insert_file{
    "files_insert",
    "INSERT INTO files AS f (project_id, path, path_key, name, type, language, content, size, created_by, updated_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, octet_length($7), $8, $8) "
    "RETURNING " COLLABDEV_FILE_WITH_CONTENT_JSON "::text AS file, " COLLABDEV_FILE_JSON "::text AS meta, f.id, f.version"};

inline constexpr db::Statement rename_file{
    "files_rename",
    "UPDATE files AS f SET path = $2, path_key = $3, name = $4, language = $5, updated_by = $6, updated_at = now() "
    "WHERE f.id = $1 RETURNING " COLLABDEV_FILE_WITH_CONTENT_JSON "::text AS file, " COLLABDEV_FILE_JSON
    "::text AS meta, f.version"};

inline constexpr db::Statement delete_file{"files_delete", "DELETE FROM files WHERE id = $1"};

// ---- the edit log ------------------------------------------------------------------------------

inline constexpr db::Statement updates_since{
    "files_updates_since",
    "SELECT version, client_id, author_id, changes::text AS changes, "
    COLLABDEV_FILES_TS("created_at") " AS created_at "
    "FROM file_updates WHERE file_id = $1 AND version > $2 ORDER BY version"};

inline constexpr db::Statement insert_update{
    "files_insert_update",
    "INSERT INTO file_updates (file_id, version, client_id, author_id, changes) VALUES ($1, $2, $3, $4, $5::jsonb) "
    "RETURNING " COLLABDEV_FILES_TS("created_at") " AS created_at"};

// The snapshot follows the log: the text after the last accepted update.
inline constexpr db::Statement store_content{
    "files_store_content",
    "UPDATE files SET content = $2, size = octet_length($2), version = $3, updated_by = $4, updated_at = now() "
    "WHERE id = $1"};

// Compaction: drops the log up to version $2 (its effect is in `content`).
inline constexpr db::Statement compact_log{
    "files_compact_log",
    "WITH gone AS (DELETE FROM file_updates WHERE file_id = $1 AND version <= $2) "
    "UPDATE files SET log_start = $2 WHERE id = $1"};

inline constexpr db::Statement file_version{
    "files_version", "SELECT version, log_start FROM files WHERE id = $1"};

// History, newest first, before the cursor's version.
inline constexpr db::Statement history{
    "files_history",
    "SELECT u.version, json_build_object('version', u.version, 'client_id', u.client_id, "
    "'author_id', u.author_id, 'author_name', us.name, 'changes', u.changes, "
    "'created_at', " COLLABDEV_FILES_TS("u.created_at") ")::text AS entry "
    "FROM file_updates u JOIN users us ON us.id = u.author_id "
    "WHERE u.file_id = $1 AND ($2::bigint IS NULL OR u.version < $2) ORDER BY u.version DESC LIMIT $3"};

inline constexpr db::Statement find_by_path{
    "files_find_by_path", "SELECT id FROM files WHERE project_id = $1 AND path_key = $2"};

}  // namespace collabdev::files::sql
