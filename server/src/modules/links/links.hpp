#pragma once
// Links between the artifacts of a project (tasks, files, pages, messages) and the queries over
// them as a graph. PostgreSQL (artifact_links) is the truth; the mirror (graph/mirror.hpp) copies
// it into Neo4j. Handlers in two files: links.cpp (create, delete, list an artifact's links) and
// graph_queries.cpp (related artifacts, the project's graph, search for the link picker).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "graph/neo4j_client.hpp"
#include "http/router.hpp"
#include "modules/links/artifacts.hpp"
#include "modules/links/hooks.hpp"
#include "modules/projects/projects.hpp"

namespace collabdev::links {

struct Limits {
  std::size_t links_per_artifact = 1000;  // links one artifact may have
};

class LinksService {
 public:
  // `neo4j` is null when no NEO4J_URL is configured: every graph query then runs on PostgreSQL.
  LinksService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, projects::ProjectsService& projects,
               ArtifactTypes types, std::shared_ptr<graph::Neo4jClient> neo4j, Limits limits = {});
  void register_routes(http::Router& router);
  const ArtifactTypes& types() const { return types_; }

 private:
  awaitable<http::Response> create(http::Request& req);
  awaitable<http::Response> remove(http::Request& req);
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> related(http::Request& req);
  awaitable<http::Response> project_graph(http::Request& req);
  awaitable<http::Response> path(http::Request& req);
  awaitable<http::Response> search(http::Request& req);

  // The artifact named by the path's {type} and {artifactId}: 404 when the type is unknown, the
  // id malformed, or nothing of that type with that id is in the project.
  awaitable<End> artifact_of(http::Request& req, const std::string& project_id);
  // Fills in title, created_at and exists of every end, one query per type.
  awaitable<void> resolve(db::Connection& conn, const std::string& project_id, std::vector<End*> ends);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  projects::ProjectsService& projects_;
  ArtifactTypes types_;
  std::shared_ptr<graph::Neo4jClient> neo4j_;
  Limits limits_;
};

}  // namespace collabdev::links
