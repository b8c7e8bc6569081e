#include "modules/links/resync.hpp"

#include <map>
#include <set>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "modules/links/hooks.hpp"

namespace collabdev::links {

namespace bj = boost::json;

namespace {

#define COLLABDEV_RESYNC_END(side)                                                                          \
  "jsonb_build_object('type', l." side "_type, 'id', l." side "_id, 'title', coalesce(CASE l." side "_type " \
  "WHEN 'TASK' THEN (SELECT a.title::text FROM tasks a WHERE a.id = l." side "_id) "                        \
  "WHEN 'FILE' THEN (SELECT a.path::text FROM files a WHERE a.id = l." side "_id) "                         \
  "WHEN 'PAGE' THEN (SELECT a.name::text FROM pages a WHERE a.id = l." side "_id) "                         \
  "WHEN 'MESSAGE' THEN (SELECT " COLLABDEV_MESSAGE_PREVIEW("a") " FROM messages a WHERE a.id = l." side "_id) END, ''), " \
  "'createdAt', coalesce(CASE l." side "_type "                                                             \
  "WHEN 'TASK' THEN (SELECT " COLLABDEV_LINKS_TS("a.created_at") " FROM tasks a WHERE a.id = l." side "_id) "  \
  "WHEN 'FILE' THEN (SELECT " COLLABDEV_LINKS_TS("a.created_at") " FROM files a WHERE a.id = l." side "_id) "  \
  "WHEN 'PAGE' THEN (SELECT " COLLABDEV_LINKS_TS("a.created_at") " FROM pages a WHERE a.id = l." side "_id) "  \
  "WHEN 'MESSAGE' THEN (SELECT " COLLABDEV_LINKS_TS("a.created_at") " FROM messages a WHERE a.id = l." side "_id) END, " \
  COLLABDEV_LINKS_TS("l.created_at") "))"

constexpr db::Statement pg_links{
    "links_resync_pg_links",
    "SELECT p.id::text AS project_id, l.id::text AS link_id FROM projects p LEFT JOIN artifact_links l ON l.project_id = p.id "
    "WHERE $1::uuid IS NULL OR p.id = $1::uuid ORDER BY 1, 2"};

constexpr db::Statement queue_clear{
    "links_resync_queue_clear",
    "INSERT INTO graph_outbox (project_id, op, payload) SELECT unnest($1::uuid[]), 'project.delete', '{}'::jsonb"};

constexpr db::Statement queue_links{
    "links_resync_queue_links",
    "INSERT INTO graph_outbox (project_id, op, payload) "
    "SELECT l.project_id, 'link.upsert', jsonb_build_object('id', l.id, 'kind', l.kind, 'origin', l.origin, "
    "'createdAt', " COLLABDEV_LINKS_TS("l.created_at") ", 'createdBy', l.created_by, "
    "'source', " COLLABDEV_RESYNC_END("source") ", 'target', " COLLABDEV_RESYNC_END("target") ") "
    "FROM artifact_links l WHERE $1::uuid IS NULL OR l.project_id = $1::uuid ORDER BY l.project_id, l.created_at, l.id"};

}  // namespace

awaitable<ResyncReport> resync(db::Pool& pool, std::shared_ptr<graph::Neo4jClient> neo4j,
                               std::optional<std::string> project_id) {
  std::map<std::string, std::set<std::string>> in_pg;
  auto r = co_await pool.query(pg_links, project_id);
  for (int i = 0; i < r.rows(); ++i) {
    auto& links = in_pg[std::string(r.get(i, "project_id"))];
    if (auto id = r.get_optional(i, "link_id")) {
      links.emplace(*id);
    }
  }
  std::map<std::string, std::set<std::string>> in_neo;
  if (neo4j) {
    bj::object params{{"p", project_id ? bj::value(*project_id) : bj::value(nullptr)}};
    auto n = co_await neo4j->run(
        "MATCH ()-[l:LINKED_TO]->() WHERE $p IS NULL OR l.projectId = $p RETURN l.projectId, l.id", params);
    for (const auto& row : n.values) {
      const auto& a = row.as_array();
      if (a.at(0).is_string() && a.at(1).is_string()) {
        in_neo[std::string(a.at(0).as_string())].emplace(a.at(1).as_string());
      }
    }
    auto nodes = co_await neo4j->run("MATCH (n) WHERE $p IS NULL OR n.projectId = $p RETURN DISTINCT n.projectId",
                                     std::move(params));
    for (const auto& row : nodes.values) {
      const auto& a = row.as_array();
      if (a.at(0).is_string()) {
        in_neo[std::string(a.at(0).as_string())];
      }
    }
  }
  ResyncReport report;
  std::string clear = "{";
  for (auto& [pid, links] : in_pg) {
    ResyncProject p{pid, static_cast<std::int64_t>(links.size()), neo4j ? 0 : -1, 0, 0};
    if (neo4j) {
      const auto& other = in_neo[pid];
      p.neo4j_links = static_cast<std::int64_t>(other.size());
      for (const auto& id : links) {
        p.missing += other.contains(id) ? 0 : 1;
      }
      for (const auto& id : other) {
        p.extra += links.contains(id) ? 0 : 1;
      }
    }
    report.projects.push_back(p);
    clear += (clear.size() > 1 ? "," : "") + pid;
  }
  // Projects Neo4j knows and PostgreSQL no longer has: their nodes go too.
  for (const auto& [pid, links] : in_neo) {
    // Only a well-formed id goes into the statement's array.
    if (!in_pg.contains(pid) && ids::canonical(pid) == pid) {
      report.projects.push_back(ResyncProject{pid, 0, static_cast<std::int64_t>(links.size()), 0,
                                              static_cast<std::int64_t>(links.size())});
      clear += (clear.size() > 1 ? "," : "") + pid;
    }
  }
  clear += "}";
  auto tx = co_await pool.begin();
  auto c = co_await tx.query(queue_clear, clear);
  auto q = co_await tx.query(queue_links, project_id);
  co_await tx.commit();
  report.queued = c.affected_rows() + q.affected_rows();
  co_return report;
}

}  // namespace collabdev::links
