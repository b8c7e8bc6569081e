#pragma once
// SQL of invitation links, as named constants prepared once per connection.
#include "db/db.hpp"
#include "modules/projects/queries.hpp"

namespace collabdev::projects::sql {

#define COLLABDEV_INVITATION_COLUMNS                                                                \
  "i.id, i.project_id, i.role, i.created_by, " COLLABDEV_TS("i.created_at") " AS created_at, "    \
  COLLABDEV_TS("i.expires_at") " AS expires_at, i.max_uses, i.uses"

inline constexpr db::Statement insert_invitation{
    "invitations_insert",
    "INSERT INTO project_invitations AS i (project_id, token_hash, role, created_by, expires_at, max_uses) "
    "VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5::int), $6) RETURNING " COLLABDEV_INVITATION_COLUMNS};

// The links that can still be used: not revoked, not expired, not used up.
inline constexpr db::Statement list_open_invitations{
    "invitations_list_open",
    "SELECT " COLLABDEV_INVITATION_COLUMNS " FROM project_invitations i WHERE i.project_id = $1 "
    "AND i.revoked_at IS NULL AND i.expires_at > now() AND (i.max_uses IS NULL OR i.uses < i.max_uses) "
    "ORDER BY i.created_at DESC, i.id"};

inline constexpr db::Statement revoke_invitation{
    "invitations_revoke",
    "UPDATE project_invitations SET revoked_at = coalesce(revoked_at, now()) "
    "WHERE id = $1 AND project_id = $2 RETURNING id"};

// A link by its token's hash, with its state; FOR UPDATE when accepting (counts its uses).
#define COLLABDEV_INVITATION_BY_HASH                                                          \
  "SELECT " COLLABDEV_INVITATION_COLUMNS ", p.name AS project_name, "                         \
  "i.revoked_at IS NOT NULL AS revoked, i.expires_at <= now() AS expired, "                   \
  "(i.max_uses IS NOT NULL AND i.uses >= i.max_uses) AS used_up "                             \
  "FROM project_invitations i JOIN projects p ON p.id = i.project_id WHERE i.token_hash = $1"

inline constexpr db::Statement invitation_by_hash{"invitations_by_hash", COLLABDEV_INVITATION_BY_HASH};
inline constexpr db::Statement lock_invitation_by_hash{"invitations_lock_by_hash",
                                                       COLLABDEV_INVITATION_BY_HASH " FOR UPDATE OF i"};

inline constexpr db::Statement use_invitation{"invitations_use",
                                              "UPDATE project_invitations SET uses = uses + 1 WHERE id = $1"};

}  // namespace collabdev::projects::sql
