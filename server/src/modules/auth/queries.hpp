#pragma once
// SQL of the auth module, as named constants prepared once per connection.
#include "db/db.hpp"

namespace collabdev::auth::sql {

#define COLLABDEV_USER_COLUMNS                                                                   \
  "id, email, name, avatar_url, "                                                                \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS created_at, " \
  "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS updated_at"

inline constexpr db::Statement insert_user{
    "auth_insert_user",
    "INSERT INTO users (email, password_hash, name) VALUES ($1, $2, $3) RETURNING " COLLABDEV_USER_COLUMNS};

inline constexpr db::Statement user_for_login{
    "auth_user_for_login",
    "SELECT password_hash, " COLLABDEV_USER_COLUMNS " FROM users WHERE lower(email) = lower($1)"};

inline constexpr db::Statement user_by_session{
    "auth_user_by_session",
    "SELECT u.id, u.email, u.name, u.avatar_url, "
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS created_at, "
    "to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS updated_at "
    "FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > now()"};

inline constexpr db::Statement password_of{"auth_password_of", "SELECT password_hash FROM users WHERE id = $1"};

inline constexpr db::Statement insert_session{
    "auth_insert_session",
    "INSERT INTO user_sessions (user_id, token_hash, expires_at) "
    "VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id"};

inline constexpr db::Statement session_by_hash{
    "auth_session_by_hash",
    "SELECT id, user_id FROM user_sessions WHERE token_hash = $1 AND expires_at > now()"};

inline constexpr db::Statement delete_session{"auth_delete_session", "DELETE FROM user_sessions WHERE id = $1 RETURNING id"};

inline constexpr db::Statement delete_user_sessions{"auth_delete_user_sessions",
                                                    "DELETE FROM user_sessions WHERE user_id = $1 RETURNING id"};

inline constexpr db::Statement delete_other_sessions{
    "auth_delete_other_sessions", "DELETE FROM user_sessions WHERE user_id = $1 AND id <> $2 RETURNING id"};

// Of the given sessions, those not signed out nor expired (checked again after a bus reconnect).
inline constexpr db::Statement live_sessions{
    "auth_live_sessions",
    "SELECT id FROM user_sessions WHERE id = ANY($1::uuid[]) AND expires_at > now()"};

inline constexpr db::Statement purge_expired{"auth_purge_expired",
                                             "DELETE FROM user_sessions WHERE expires_at <= now()"};

inline constexpr db::Statement update_profile{
    "auth_update_profile",
    "UPDATE users SET name = CASE WHEN $2 THEN $3 ELSE name END, "
    "avatar_url = CASE WHEN $4 THEN $5 ELSE avatar_url END, updated_at = now() "
    "WHERE id = $1 RETURNING " COLLABDEV_USER_COLUMNS};

inline constexpr db::Statement update_password{
    "auth_update_password", "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1"};

}  // namespace collabdev::auth::sql
