#pragma once
// SQL of the links module, as named constants prepared once per connection.
#include "db/db.hpp"
#include "modules/links/hooks.hpp"

namespace collabdev::links::sql {

#define COLLABDEV_LINK_COLUMNS                                                                          \
  "l.id::text AS id, l.kind, l.origin, l.created_by::text AS created_by, " COLLABDEV_LINKS_TS("l.created_at") \
  " AS created_at, l.source_type, l.source_id::text AS source_id, l.target_type, l.target_id::text AS target_id"

// Two requests linking the same pair, either way round, are serialised on the pair.
inline constexpr db::Statement lock_pair{"links_lock_pair", "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))"};

inline constexpr db::Statement find_pair{
    "links_find_pair",
    "SELECT l.id::text AS id FROM artifact_links l WHERE l.project_id = $1 AND "
    "((l.source_type = $2 AND l.source_id = $3::uuid AND l.target_type = $4 AND l.target_id = $5::uuid) OR "
    " (l.source_type = $4 AND l.source_id = $5::uuid AND l.target_type = $2 AND l.target_id = $3::uuid))"};

inline constexpr db::Statement count_links_of{
    "links_count_of",
    "SELECT count(*) AS n FROM artifact_links l WHERE l.project_id = $1 AND "
    "((l.source_type = $2 AND l.source_id = $3::uuid) OR (l.target_type = $2 AND l.target_id = $3::uuid))"};

inline constexpr db::Statement insert_link{
    "links_insert",
    "INSERT INTO artifact_links AS l (project_id, source_type, source_id, target_type, target_id, created_by, kind) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING " COLLABDEV_LINK_COLUMNS};

inline constexpr db::Statement delete_link{
    "links_delete", "DELETE FROM artifact_links l WHERE l.id = $1 AND l.project_id = $2 RETURNING " COLLABDEV_LINK_COLUMNS};

inline constexpr db::Statement links_of{
    "links_of_artifact",
    "SELECT " COLLABDEV_LINK_COLUMNS " FROM artifact_links l WHERE l.project_id = $1 AND "
    "((l.source_type = $2 AND l.source_id = $3::uuid) OR (l.target_type = $2 AND l.target_id = $3::uuid)) "
    "ORDER BY l.created_at, l.id LIMIT $4"};

// Everything within $4 links of artifact ($2, $3), following links of the kinds $5 (NULL: all),
// each artifact with its shortest distance. UNION (not UNION ALL) keeps one row per artifact and
// depth, so cycles end at the depth bound instead of multiplying paths.
inline constexpr db::Statement related{
    "links_related",
    "WITH RECURSIVE walk(type, id, depth) AS ("
    "  SELECT $2::text, $3::uuid, 0"
    "  UNION"
    "  SELECT n.type::text, n.id, w.depth + 1 FROM walk w CROSS JOIN LATERAL ("
    "    SELECT l.target_type AS type, l.target_id AS id FROM artifact_links l WHERE l.project_id = $1 "
    "      AND l.source_type = w.type AND l.source_id = w.id AND ($5::text[] IS NULL OR l.kind = ANY($5::text[]))"
    "    UNION ALL"
    "    SELECT l.source_type, l.source_id FROM artifact_links l WHERE l.project_id = $1 "
    "      AND l.target_type = w.type AND l.target_id = w.id AND ($5::text[] IS NULL OR l.kind = ANY($5::text[]))"
    "  ) n WHERE w.depth < $4"
    ") "
    "SELECT type, id::text AS id, min(depth) AS depth FROM walk GROUP BY type, id "
    "HAVING NOT (type = $2::text AND id = $3::uuid) AND ($7::text[] IS NULL OR type = ANY($7::text[])) "
    "ORDER BY min(depth), type, id LIMIT $6"};

// The links among a set of artifacts ($2 types, $3 ids, pairwise; $4 their "TYPE:id" keys) of the kinds $5.
inline constexpr db::Statement links_among{
    "links_among",
    "SELECT " COLLABDEV_LINK_COLUMNS " FROM unnest($2::text[], $3::uuid[]) AS n(type, id) "
    "JOIN artifact_links l ON l.project_id = $1 AND l.source_type = n.type AND l.source_id = n.id "
    "WHERE (l.target_type || ':' || l.target_id::text) = ANY($4::text[]) "
    "AND ($5::text[] IS NULL OR l.kind = ANY($5::text[])) ORDER BY l.created_at, l.id"};

inline constexpr db::Statement project_links{
    "links_of_project",
    "SELECT " COLLABDEV_LINK_COLUMNS " FROM artifact_links l WHERE l.project_id = $1 "
    "AND ($3::text[] IS NULL OR l.kind = ANY($3::text[])) "
    "AND ($4::text[] IS NULL OR (l.source_type = ANY($4::text[]) AND l.target_type = ANY($4::text[]))) "
    "ORDER BY l.created_at, l.id LIMIT $2"};

}  // namespace collabdev::links::sql

namespace collabdev::links::sql {

// The links of a set of artifacts ($2 types, $3 ids, pairwise), in both directions: one BFS level.
inline constexpr db::Statement neighbours{
    "links_neighbours",
    "SELECT f.type AS from_type, f.id::text AS from_id, l.target_type AS type, l.target_id::text AS id, "
    "l.id::text AS link_id FROM unnest($2::text[], $3::uuid[]) AS f(type, id) "
    "JOIN artifact_links l ON l.project_id = $1 AND l.source_type = f.type AND l.source_id = f.id "
    "UNION ALL "
    "SELECT f.type, f.id::text, l.source_type, l.source_id::text, l.id::text FROM unnest($2::text[], $3::uuid[]) AS f(type, id) "
    "JOIN artifact_links l ON l.project_id = $1 AND l.target_type = f.type AND l.target_id = f.id "
    "ORDER BY 1, 2, 3, 4, 5"};

inline constexpr db::Statement links_by_id{
    "links_by_id", "SELECT " COLLABDEV_LINK_COLUMNS " FROM artifact_links l WHERE l.project_id = $1 AND l.id = ANY($2::uuid[])"};

}  // namespace collabdev::links::sql
