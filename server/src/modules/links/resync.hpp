#pragma once
// `collabdev graph resync [--project ID]`: rebuilds the Neo4j mirror from PostgreSQL. Compares
// the links on both sides (what is missing from Neo4j, what Neo4j has that PostgreSQL does not),
// then queues in the outbox, in one transaction, the removal of each project's part of the mirror
// followed by every one of its links, for the mirror of any running instance to replay.
#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "graph/neo4j_client.hpp"

namespace collabdev::links {

struct ResyncProject {
  std::string project_id;
  std::int64_t postgresql_links = 0;
  std::int64_t neo4j_links = -1;  // -1: Neo4j not asked
  std::int64_t missing = 0;       // in PostgreSQL, not in Neo4j
  std::int64_t extra = 0;         // in Neo4j, not in PostgreSQL (or of a deleted project)
};

struct ResyncReport {
  std::vector<ResyncProject> projects;
  std::int64_t queued = 0;  // outbox rows written
};

// `neo4j` may be null (nothing to compare: everything is queued). `project_id` canonical or empty
// for every project.
awaitable<ResyncReport> resync(db::Pool& pool, std::shared_ptr<graph::Neo4jClient> neo4j, std::optional<std::string> project_id);

}  // namespace collabdev::links
