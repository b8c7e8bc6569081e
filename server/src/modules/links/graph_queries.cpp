// The links as a graph: everything related to an artifact (depth 1 to 4, by type and kind), the
// shortest path between two artifacts, the whole graph of a project (capped), and a text search
// over the project's artifacts for the link picker.
//
// Traversals run on Neo4j when one is configured (the mirror) and on PostgreSQL otherwise, with
// the same answers; `?engine=` picks one explicitly. The project check, titles and existence
// always come from PostgreSQL, the truth.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/json.hpp"
#include "graph/cypher.hpp"
#include "modules/links/links.hpp"
#include "modules/links/queries.hpp"

namespace collabdev::links {

namespace bj = boost::json;

namespace {

constexpr std::int64_t max_depth = 4;
constexpr std::int64_t max_path = 6;
constexpr std::int64_t max_nodes = 500;
constexpr std::size_t max_path_visits = 20000;
constexpr std::int64_t default_graph_links = 500;
constexpr std::int64_t max_graph_links = 5000;
constexpr std::size_t max_query = 200;
constexpr std::int64_t default_search = 20;
constexpr std::int64_t max_search = 50;

enum class Engine { postgresql, neo4j };

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto part = s.substr(0, comma);
    if (!part.empty()) {
      out.emplace_back(part);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string s = "{";
  for (const auto& i : items) {
    s += s.size() > 1 ? "," : "";
    s += i;  // type names, kinds, uuids: letters, digits and '-' only
  }
  return s + "}";
}

std::optional<std::vector<std::string>> types_param(const http::Request& req, const ArtifactTypes& types) {
  auto v = req.query_param("types");
  if (!v) {
    return std::nullopt;
  }
  auto list = split(*v);
  if (list.empty() || list.size() > 16) {
    fail(problems::bad_request("types must list 1 to 16 of " + types.names() + ", separated by commas", "types"));
  }
  for (auto& t : list) {
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (types.find(t) == nullptr) {
      fail(problems::bad_request("types must list some of " + types.names(), "types"));
    }
  }
  return list;
}

std::optional<std::vector<std::string>> kinds_param(const http::Request& req) {
  auto v = req.query_param("kinds");
  if (!v) {
    return std::nullopt;
  }
  static const std::set<std::string> known{"relates", "blocks", "duplicates", "implements", "discusses"};
  auto list = split(*v);
  if (list.empty() || list.size() > known.size() ||
      !std::all_of(list.begin(), list.end(), [](const std::string& k) { return known.contains(k); })) {
    fail(problems::bad_request("kinds must list some of relates, blocks, duplicates, implements, discusses", "kinds"));
  }
  return list;
}

std::int64_t int_param(const http::Request& req, std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
  auto v = req.query_param(name);
  if (!v) {
    return fallback;
  }
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
    fail(problems::bad_request(std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max),
                               std::string(name)));
  }
  return n;
}

// `TYPE:uuid` in a query parameter.
End end_param(const http::Request& req, std::string_view name, const ArtifactTypes& types) {
  auto v = req.query_param(name);
  const auto field = std::string(name);
  if (!v) {
    fail(problems::bad_request(field + " is required: TYPE:id", field));
  }
  auto colon = v->find(':');
  std::string type = v->substr(0, colon == std::string::npos ? 0 : colon);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto id = colon == std::string::npos ? std::nullopt : ids::canonical(v->substr(colon + 1));
  if (types.find(type) == nullptr || !id) {
    fail(problems::bad_request(field + " must be TYPE:id with TYPE one of " + types.names(), field));
  }
  return End{type, *id, {}, {}, false};
}

std::string key_of(const End& e) { return e.type + ":" + e.id; }

Link link_row(const db::Result& r, int row, const std::string& project_id) {
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

}  // namespace

awaitable<http::Response> LinksService::related(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project_id = scope.project_id;
  const auto depth = int_param(req, "depth", 1, 1, max_depth);
  const auto types = types_param(req, types_);
  const auto kinds = kinds_param(req);
  Engine engine = neo4j_ ? Engine::neo4j : Engine::postgresql;
  if (auto e = req.query_param("engine")) {
    if (*e == "postgresql") {
      engine = Engine::postgresql;
    } else if (*e == "neo4j" && neo4j_) {
      engine = Engine::neo4j;
    } else {
      fail(problems::bad_request(neo4j_ ? "engine must be postgresql or neo4j"
                                        : "engine must be postgresql: no Neo4j is configured (NEO4J_URL)",
                                 "engine"));
    }
  }
  // Named, not temporaries of the co_await expressions below (g++ 12 destroys those twice).
  const std::optional<std::string> kinds_text = kinds ? std::optional(array_literal(*kinds)) : std::nullopt;
  const std::optional<std::string> types_text = types ? std::optional(array_literal(*types)) : std::nullopt;
  auto root = co_await artifact_of(req, project_id);

  struct Found {
    End end;
    std::int64_t depth;
  };
  std::vector<Found> found;
  bool truncated = false;
  bool answered = false;
  if (engine == Engine::neo4j) {
    try {
      bj::object params{{"id", root.id}, {"projectId", project_id}, {"limit", max_nodes + 1}};
      params["kinds"] = kinds ? bj::value(bj::value_from(*kinds)) : bj::value(nullptr);
      params["types"] = types ? bj::value(bj::value_from(*types)) : bj::value(nullptr);
      const std::string cypher =
          "MATCH (root:" + graph::label_of(root.type) + " {id: $id}) "
          "MATCH p = (root)-[rels:LINKED_TO*1.." + std::to_string(depth) + "]-(n) "
          "WHERE n <> root AND n.projectId = $projectId AND ($kinds IS NULL OR all(l IN rels WHERE l.kind IN $kinds)) "
          "WITH toUpper(labels(n)[0]) AS type, n.id AS id, min(length(p)) AS depth "
          "WHERE $types IS NULL OR type IN $types "
          "RETURN type, id, depth ORDER BY depth, type, id LIMIT $limit";
      auto r = co_await neo4j_->run(cypher, std::move(params));
      for (const auto& row : r.values) {
        const auto& a = row.as_array();
        found.push_back({End{std::string(a.at(0).as_string()), std::string(a.at(1).as_string()), {}, {}, false},
                         a.at(2).to_number<std::int64_t>()});
      }
      answered = true;
    } catch (const graph::Neo4jError& e) {
      if (req.query_param("engine")) {
        fail(problems::unavailable("Neo4j did not answer; try again or use engine=postgresql."));
      }
      spdlog::warn("related on neo4j failed, answering from postgresql: {}", e.what());
      found.clear();
      engine = Engine::postgresql;
    }
  }
  auto conn = co_await pool_->acquire();
  if (!answered) {
    auto r = co_await conn.query(sql::related, project_id, root.type, root.id, depth, kinds_text, max_nodes + 1,
                                 types_text);
    for (int i = 0; i < r.rows(); ++i) {
      found.push_back({End{std::string(r.get(i, "type")), std::string(r.get(i, "id")), {}, {}, false},
                       r.get_int(i, "depth")});
    }
  }
  if (found.size() > static_cast<std::size_t>(max_nodes)) {
    found.resize(static_cast<std::size_t>(max_nodes));
    truncated = true;
  }
  std::vector<End*> ends{&root};
  for (auto& f : found) {
    ends.push_back(&f.end);
  }
  co_await resolve(conn, project_id, ends);

  // The links among the answer's artifacts (root included), for drawing them.
  std::vector<std::string> node_types{root.type};
  std::vector<std::string> node_ids{root.id};
  std::vector<std::string> keys{key_of(root)};
  for (const auto& f : found) {
    node_types.push_back(f.end.type);
    node_ids.push_back(f.end.id);
    keys.push_back(key_of(f.end));
  }
  const auto types_list = array_literal(node_types);
  const auto ids_list = array_literal(node_ids);
  const auto keys_list = array_literal(keys);
  auto lr = co_await conn.query(sql::links_among, project_id, types_list, ids_list, keys_list, kinds_text);
  std::map<std::string, const End*> by_key;
  by_key[key_of(root)] = &root;
  for (const auto& f : found) {
    by_key[key_of(f.end)] = &f.end;
  }
  bj::array links;
  for (int i = 0; i < lr.rows(); ++i) {
    auto l = link_row(lr, i, project_id);
    if (auto it = by_key.find(key_of(l.source)); it != by_key.end()) {
      l.source = *it->second;
    }
    if (auto it = by_key.find(key_of(l.target)); it != by_key.end()) {
      l.target = *it->second;
    }
    links.push_back(link_json(l));
  }
  bj::array nodes;
  for (const auto& f : found) {
    auto o = end_json(f.end);
    o["depth"] = f.depth;
    nodes.push_back(std::move(o));
  }
  co_return http::Response::json(bj::object{{"root", end_json(root)},
                                            {"depth", depth},
                                            {"engine", engine == Engine::neo4j ? "neo4j" : "postgresql"},
                                            {"nodes", std::move(nodes)},
                                            {"links", std::move(links)},
                                            {"truncated", truncated}});
}

awaitable<http::Response> LinksService::path(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project_id = scope.project_id;
  auto from = end_param(req, "from", types_);
  auto to = end_param(req, "to", types_);
  const auto max_length = int_param(req, "max_length", max_path, 1, max_path);
  auto conn = co_await pool_->acquire();
  std::vector<End*> ends_asked{&from, &to};
  co_await resolve(conn, project_id, ends_asked);
  if (!from.exists || !to.exists) {
    fail(problems::not_found("No such artifact in this project."));
  }
  // Breadth-first on PostgreSQL, one query per level; the first time `to` is reached is a
  // shortest path. Neighbours come ordered, so the path is the same on every run.
  struct Step {
    std::string parent;
    std::string link_id;
  };
  std::map<std::string, Step> seen{{key_of(from), {}}};
  std::vector<End> frontier{from};
  bool found = key_of(from) == key_of(to);
  for (std::int64_t level = 0; level < max_length && !found && !frontier.empty(); ++level) {
    std::vector<std::string> ft;
    std::vector<std::string> fi;
    for (const auto& e : frontier) {
      ft.push_back(e.type);
      fi.push_back(e.id);
    }
    const auto ft_list = array_literal(ft);
    const auto fi_list = array_literal(fi);
    auto r = co_await conn.query(sql::neighbours, project_id, ft_list, fi_list);
    std::vector<End> next;
    for (int i = 0; i < r.rows() && !found; ++i) {
      End n{std::string(r.get(i, "type")), std::string(r.get(i, "id")), {}, {}, false};
      const auto k = key_of(n);
      if (seen.contains(k)) {
        continue;
      }
      seen[k] = Step{std::string(r.get(i, "from_type")) + ":" + std::string(r.get(i, "from_id")),
                     std::string(r.get(i, "link_id"))};
      found = k == key_of(to);
      next.push_back(std::move(n));
    }
    if (seen.size() > max_path_visits) {
      break;
    }
    frontier = std::move(next);
  }
  bj::object answer{{"from", end_json(from)}, {"to", end_json(to)}, {"found", found}};
  if (!found) {
    answer["length"] = nullptr;
    answer["nodes"] = bj::array{};
    answer["links"] = bj::array{};
    co_return http::Response::json(answer);
  }
  std::vector<std::string> chain{key_of(to)};
  std::vector<std::string> link_ids;
  while (chain.back() != key_of(from)) {
    const auto& step = seen.at(chain.back());
    link_ids.push_back(step.link_id);
    chain.push_back(step.parent);
  }
  std::reverse(chain.begin(), chain.end());
  std::reverse(link_ids.begin(), link_ids.end());
  std::vector<End> nodes;
  for (const auto& k : chain) {
    auto colon = k.find(':');
    nodes.push_back(End{k.substr(0, colon), k.substr(colon + 1), {}, {}, false});
  }
  std::vector<End*> ends;
  for (auto& n : nodes) {
    ends.push_back(&n);
  }
  co_await resolve(conn, project_id, ends);
  db::Result lr;
  if (!link_ids.empty()) {
    const auto link_list = array_literal(link_ids);
    lr = co_await conn.query(sql::links_by_id, project_id, link_list);
  }
  std::map<std::string, Link> links_by_id;
  for (int i = 0; i < lr.rows(); ++i) {
    auto l = link_row(lr, i, project_id);
    for (const auto& n : nodes) {
      if (key_of(n) == key_of(l.source)) {
        l.source = n;
      }
      if (key_of(n) == key_of(l.target)) {
        l.target = n;
      }
    }
    links_by_id.emplace(l.id, std::move(l));
  }
  bj::array node_list;
  for (const auto& n : nodes) {
    node_list.push_back(end_json(n));
  }
  bj::array link_list;
  for (const auto& id : link_ids) {
    if (auto it = links_by_id.find(id); it != links_by_id.end()) {
      link_list.push_back(link_json(it->second));
    }
  }
  answer["length"] = static_cast<std::int64_t>(link_ids.size());
  answer["nodes"] = std::move(node_list);
  answer["links"] = std::move(link_list);
  co_return http::Response::json(answer);
}

awaitable<http::Response> LinksService::project_graph(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project_id = scope.project_id;
  const auto limit = int_param(req, "limit", default_graph_links, 1, max_graph_links);
  const auto types = types_param(req, types_);
  const auto kinds = kinds_param(req);
  const std::optional<std::string> kinds_text = kinds ? std::optional(array_literal(*kinds)) : std::nullopt;
  const std::optional<std::string> types_text = types ? std::optional(array_literal(*types)) : std::nullopt;
  auto conn = co_await pool_->acquire();
  auto r = co_await conn.query(sql::project_links, project_id, limit + 1, kinds_text, types_text);
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  std::vector<Link> links;
  for (int i = 0; i < n; ++i) {
    links.push_back(link_row(r, i, project_id));
  }
  std::map<std::string, End> nodes;
  for (const auto& l : links) {
    nodes.emplace(key_of(l.source), l.source);
    nodes.emplace(key_of(l.target), l.target);
  }
  std::vector<End*> ends;
  for (auto& [k, e] : nodes) {
    ends.push_back(&e);
  }
  co_await resolve(conn, project_id, ends);
  bj::array node_list;
  for (const auto& [k, e] : nodes) {
    node_list.push_back(end_json(e));
  }
  bj::array link_list;
  for (auto& l : links) {
    l.source = nodes.at(key_of(l.source));
    l.target = nodes.at(key_of(l.target));
    link_list.push_back(link_json(l));
  }
  co_return http::Response::json(bj::object{
      {"nodes", std::move(node_list)}, {"links", std::move(link_list)}, {"truncated", r.rows() > limit}});
}

awaitable<http::Response> LinksService::search(http::Request& req) {
  auto scope = co_await projects_.scope(req);
  const auto& project_id = scope.project_id;
  auto q = req.query_param("q");
  if (!q || q->empty() || json::utf8_length(*q) > max_query) {
    fail(problems::bad_request("q must be 1 to 200 characters", "q"));
  }
  const auto limit = http::page_limit(req, default_search, max_search);
  const auto types = types_param(req, types_);
  std::string pattern = "%";
  for (char c : *q) {
    if (c == '%' || c == '_' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += '%';
  // "#42" or "42" also finds task number 42.
  std::optional<std::int64_t> number;
  {
    std::string_view digits = *q;
    if (digits.starts_with('#')) {
      digits.remove_prefix(1);
    }
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (!digits.empty() && digits.size() <= 9 && ec == std::errc() && p == digits.data() + digits.size()) {
      number = n;
    }
  }
  auto conn = co_await pool_->acquire();
  bj::array items;
  for (const auto& t : types_.all()) {
    if (types && std::find(types->begin(), types->end(), t.name) == types->end()) {
      continue;
    }
    if (static_cast<std::int64_t>(items.size()) >= limit) {
      break;
    }
    const std::int64_t room_left = limit - static_cast<std::int64_t>(items.size());
    auto r = co_await conn.query(t.search, project_id, pattern, room_left, number);
    for (int i = 0; i < r.rows(); ++i) {
      items.push_back(end_json(End{t.name, std::string(r.get(i, "id")), std::string(r.get(i, "title")),
                                   std::string(r.get(i, "created_at")), true}));
    }
  }
  co_return http::Response::json(bj::object{{"items", std::move(items)}});
}

}  // namespace collabdev::links
