// Links: create one between two artifacts of a project, delete it, list an artifact's links in
// both directions with each end's type, title and whether it still exists.
#include "modules/links/links.hpp"

#include <algorithm>
#include <array>
#include <map>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/json.hpp"
#include "graph/outbox.hpp"
#include "modules/links/queries.hpp"

namespace collabdev::links {

namespace bj = boost::json;
using projects::Action;

namespace {

constexpr std::int64_t default_list = 200;
constexpr std::int64_t max_list = 1000;

const std::vector<std::string_view>& relation_kinds() {
  static const std::vector<std::string_view> kinds{"relates", "blocks", "duplicates", "implements", "discusses"};
  return kinds;
}

std::string upper(std::string_view s) {
  std::string u(s);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return u;
}

Link link_of(const db::Result& r, int row, const std::string& project_id) {
  Link l;
  l.id = r.get(row, "id");
  l.project_id = project_id;
  l.kind = r.get(row, "kind");
  l.origin = r.get(row, "origin");
  l.created_by = r.get(row, "created_by");
  l.created_at = r.get(row, "created_at");
  l.source = End{std::string(r.get(row, "source_type")), std::string(r.get(row, "source_id")), {}, {}, false};
  l.target = End{std::string(r.get(row, "target_type")), std::string(r.get(row, "target_id")), {}, {}, false};
  return l;
}

// `{type, id}` of a link's end in a request body; errors are named `<name>.type` and `<name>.id`.
std::optional<End> end_field(const bj::object& body, std::string_view name, const ArtifactTypes& types,
                             json::Fields& f) {
  const auto field = std::string(name);
  const auto* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) {
    f.error(field, "is required");
    return std::nullopt;
  }
  if (!v->is_object()) {
    f.error(field, "must be an object {type, id}");
    return std::nullopt;
  }
  const auto& o = v->as_object();
  std::optional<End> end = End{};
  const auto* type = o.if_contains("type");
  if (type == nullptr || !type->is_string() || types.find(type->get_string()) == nullptr) {
    f.error(field + ".type", "must be one of " + types.names());
    end.reset();
  } else if (end) {
    end->type = type->get_string();
  }
  const auto* id = o.if_contains("id");
  if (id == nullptr || !id->is_string() || !ids::canonical(id->get_string())) {
    f.error(field + ".id", "must be a UUID");
    end.reset();
  } else if (end) {
    end->id = *ids::canonical(id->get_string());
  }
  for (const auto& [key, value] : o) {
    if (key != "type" && key != "id") {
      f.error(field + "." + std::string(key), "is not a field of a link's end");
      end.reset();
    }
  }
  return end;
}

}  // namespace

LinksService::LinksService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus,
                           projects::ProjectsService& projects, ArtifactTypes types,
                           std::shared_ptr<graph::Neo4jClient> neo4j, Limits limits)
    : pool_(std::move(pool)),
      bus_(std::move(bus)),
      projects_(projects),
      types_(std::move(types)),
      neo4j_(std::move(neo4j)),
      limits_(limits) {}

awaitable<void> LinksService::resolve(db::Connection& conn, const std::string& project_id, std::vector<End*> ends) {
  std::map<std::string, std::vector<End*>> by_type;
  for (auto* e : ends) {
    e->exists = false;
    by_type[e->type].push_back(e);
  }
  for (auto& [type, group] : by_type) {
    const auto* t = types_.find(type);
    if (t == nullptr) {
      continue;  // a type no longer registered: shown as missing
    }
    std::string list = "{";
    for (const auto* e : group) {
      list += list.size() > 1 ? "," : "";
      list += e->id;
    }
    list += "}";
    auto r = co_await conn.query(t->read, project_id, list);  // list: a named local, see graph_queries.cpp
    std::map<std::string, int, std::less<>> rows;
    for (int i = 0; i < r.rows(); ++i) {
      rows.emplace(std::string(r.get(i, "id")), i);
    }
    for (auto* e : group) {
      auto it = rows.find(e->id);
      if (it != rows.end()) {
        e->exists = true;
        e->title = r.get(it->second, "title");
        e->created_at = r.get(it->second, "created_at");
      }
    }
  }
}

awaitable<End> LinksService::artifact_of(http::Request& req, const std::string& project_id) {
  const auto type = upper(req.param("type"));
  if (types_.find(type) == nullptr) {
    fail(problems::not_found("No such artifact type; the types are " + types_.names() + "."));
  }
  End end{type, ids::canonical_or_404(req.param("artifactId"), "No such artifact."), {}, {}, false};
  auto conn = co_await pool_->acquire();
  std::vector<End*> ends{&end};
  co_await resolve(conn, project_id, ends);
  if (!end.exists) {
    fail(problems::not_found("No such " + type + " in this project."));
  }
  co_return end;
}

awaitable<http::Response> LinksService::create(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_links);
  const auto& project_id = scope.project_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"source", "target", "kind"});
  auto source = end_field(body, "source", types_, f);
  auto target = end_field(body, "target", types_, f);
  std::optional<std::string> kind;
  {
    const auto* k = body.if_contains("kind");
    if (k == nullptr || k->is_null()) {
      kind = "relates";
    } else if (k->is_string() && std::find(relation_kinds().begin(), relation_kinds().end(), k->get_string()) !=
                                     relation_kinds().end()) {
      kind = std::string(k->get_string());
    } else {
      f.error("kind", "must be one of relates, blocks, duplicates, implements, discusses");
    }
  }
  if (source && target && source->type == target->type && source->id == target->id) {
    f.error("target", "must be another artifact than the source");
  }
  f.check();

  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::edit_links, projects::ProjectLock::content);
  const auto a = source->type + ":" + source->id;
  const auto b = target->type + ":" + target->id;
  const auto pair = std::min(a, b) + "|" + std::max(a, b);
  co_await tx.query(sql::lock_pair, pair);
  // Both ends must exist in this project; their rows stay locked until the commit, so that a
  // delete of either waits for this link and then removes it.
  const std::array<End*, 2> ends{&*source, &*target};
  for (auto* end : ends) {
    const auto* type = types_.find(end->type);
    const auto one = "{" + end->id + "}";
    auto r = co_await tx.query(type->lock, project_id, one);
    const std::string name = end == &*source ? "source" : "target";
    if (r.empty()) {
      fail(problems::field(name + ".id", "is not a " + end->type + " of this project"));
    }
    end->title = r.get(0, "title");
    end->created_at = r.get(0, "created_at");
    end->exists = true;
    auto n = co_await tx.query(sql::count_links_of, project_id, end->type, end->id);
    if (static_cast<std::size_t>(n.get_int(0, "n")) >= limits_.links_per_artifact) {
      fail(problems::conflict("This artifact has " + std::to_string(limits_.links_per_artifact) +
                                  " links, the most one may have.",
                              name));
    }
  }
  auto existing = co_await tx.query(sql::find_pair, project_id, source->type, source->id, target->type, target->id);
  if (!existing.empty()) {
    auto p = problems::conflict("These artifacts are linked already.", "target");
    p.current = bj::object{{"id", existing.get(0, "id")}};
    fail(std::move(p));
  }
  auto r = co_await tx.query(sql::insert_link, project_id, source->type, source->id, target->type, target->id,
                             scope.user_id, *kind);
  if (r.empty()) {
    fail(problems::conflict("These artifacts are linked already.", "target"));
  }
  auto link = link_of(r, 0, project_id);
  link.source = *source;
  link.target = *target;
  co_await mirror_link_created(tx, link);
  co_await tx.commit();
  LinkChanges changes;
  changes.created.push_back(link);
  bj::object actor;
  actor["id"] = scope.user_id;
  actor["name"] = scope.user_name;
  co_await publish_link_changes(*bus_, project_id, changes, actor);
  auto res = http::Response::json(link_json(link), 201);
  res.header("Location", "/api/v1/projects/" + project_id + "/links/" + link.id);
  co_return res;
}

awaitable<http::Response> LinksService::remove(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_links);
  const auto& project_id = scope.project_id;
  const auto link_id = ids::canonical_or_404(req.param("linkId"), "No such link.");
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::edit_links, projects::ProjectLock::content);
  auto r = co_await tx.query(sql::delete_link, link_id, project_id);
  if (r.empty()) {
    fail(problems::not_found("No such link."));
  }
  auto link = link_of(r, 0, project_id);
  std::vector<End*> ends{&link.source, &link.target};
  co_await resolve(tx.connection(), project_id, ends);
  co_await mirror_link_deleted(tx, link);
  co_await tx.commit();
  LinkChanges changes;
  changes.deleted.push_back(link);
  bj::object actor;
  actor["id"] = scope.user_id;
  actor["name"] = scope.user_name;
  co_await publish_link_changes(*bus_, project_id, changes, actor);
  co_return http::Response::no_content();
}

awaitable<http::Response> LinksService::list(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project_id = scope.project_id;
  const auto limit = http::page_limit(req, default_list, max_list);
  auto artifact = co_await artifact_of(req, project_id);
  auto conn = co_await pool_->acquire();
  auto r = co_await conn.query(sql::links_of, project_id, artifact.type, artifact.id, limit + 1);
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  std::vector<Link> links;
  links.reserve(static_cast<std::size_t>(n));
  std::vector<End*> others;
  for (int i = 0; i < n; ++i) {
    links.push_back(link_of(r, i, project_id));
  }
  for (auto& l : links) {
    const bool outgoing = l.source.type == artifact.type && l.source.id == artifact.id;
    (outgoing ? l.source : l.target) = artifact;
    others.push_back(outgoing ? &l.target : &l.source);
  }
  co_await resolve(conn, project_id, others);
  bj::array items;
  for (const auto& l : links) {
    auto o = link_json(l);
    o["direction"] = l.source.type == artifact.type && l.source.id == artifact.id ? "outgoing" : "incoming";
    items.push_back(std::move(o));
  }
  co_return http::Response::json(
      bj::object{{"artifact", end_json(artifact)}, {"items", std::move(items)}, {"truncated", r.rows() > limit}});
}

void LinksService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (LinksService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.post("/api/v1/projects/{id}/links", bind(&LinksService::create));
  router.del("/api/v1/projects/{id}/links/{linkId}", bind(&LinksService::remove));
  router.get("/api/v1/projects/{id}/artifacts/{type}/{artifactId}/links", bind(&LinksService::list));
  router.get("/api/v1/projects/{id}/artifacts/{type}/{artifactId}/related", bind(&LinksService::related));
  router.get("/api/v1/projects/{id}/artifacts", bind(&LinksService::search));
  router.get("/api/v1/projects/{id}/graph", bind(&LinksService::project_graph));
  router.get("/api/v1/projects/{id}/graph/path", bind(&LinksService::path));
}

}  // namespace collabdev::links
