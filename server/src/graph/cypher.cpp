#include "graph/cypher.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

namespace collabdev::graph {

namespace bj = boost::json;

namespace {

const bj::object& object_at(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) {
    throw std::invalid_argument("outbox payload without object " + std::string(key));
  }
  return v->as_object();
}

std::string string_at(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    throw std::invalid_argument("outbox payload without string " + std::string(key));
  }
  return std::string(v->get_string());
}

// What groups consecutive rows into one statement.
struct GroupKey {
  std::string op;
  std::string a;  // label of the (source) node
  std::string b;  // label of the target node (links)
  std::string project;  // project.delete only
  bool operator==(const GroupKey&) const = default;
};

GroupKey key_of(const OutboxRow& row) {
  GroupKey k{row.op, {}, {}, {}};
  if (row.op == "link.upsert" || row.op == "link.delete") {
    k.a = label_of(string_at(object_at(row.payload, "source"), "type"));
    k.b = label_of(string_at(object_at(row.payload, "target"), "type"));
  } else if (row.op == "node.update" || row.op == "node.delete") {
    k.a = label_of(string_at(row.payload, "type"));
  } else if (row.op == "project.delete") {
    k.project = row.project_id;
  } else {
    throw std::invalid_argument("unknown outbox op " + row.op);
  }
  return k;
}

std::string node_set(std::string_view var, std::string_view end, std::string_view type) {
  const std::string v(var);
  const std::string e(end);
  return " SET " + v + ".projectId = r.projectId, " + v + "." + title_property(type) + " = r." + e + ".title, " + v +
         ".createdAt = datetime(r." + e + ".createdAt)";
}

// Removes the nodes among (label, id) pairs that no relationship touches any more: the mirror
// holds linked artifacts only.
void add_orphan_cleanup(std::vector<CypherStatement>& out, const std::vector<std::pair<std::string, std::string>>& ends) {
  std::vector<std::string> labels;
  for (const auto& [label, id] : ends) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
      labels.push_back(label);
    }
  }
  for (const auto& label : labels) {
    std::set<std::string> ids;
    for (const auto& [l, id] : ends) {
      if (l == label) {
        ids.insert(id);
      }
    }
    bj::array list;
    for (const auto& id : ids) {
      list.emplace_back(id);
    }
    out.push_back({"UNWIND $ids AS id MATCH (n:" + label + " {id: id}) WHERE NOT (n)--() DELETE n",
                   bj::object{{"ids", std::move(list)}}});
  }
}

void add_group(std::vector<CypherStatement>& out, const GroupKey& key, std::vector<const OutboxRow*>& rows) {
  if (rows.empty()) {
    return;
  }
  bj::array list;
  std::vector<std::pair<std::string, std::string>> ends;
  for (const auto* r : rows) {
    bj::object o = r->payload;
    o["projectId"] = r->project_id;
    list.push_back(std::move(o));
  }
  const auto& first = rows.front()->payload;
  if (key.op == "link.upsert") {
    const auto st = string_at(object_at(first, "source"), "type");
    const auto tt = string_at(object_at(first, "target"), "type");
    out.push_back({"UNWIND $rows AS r MERGE (a:" + key.a + " {id: r.source.id})" + node_set("a", "source", st) +
                       " MERGE (b:" + key.b + " {id: r.target.id})" + node_set("b", "target", tt) +
                       " MERGE (a)-[l:LINKED_TO {id: r.id}]->(b) SET l.projectId = r.projectId, l.kind = r.kind, "
                       "l.origin = r.origin, l.createdBy = r.createdBy, l.createdAt = datetime(r.createdAt)",
                   bj::object{{"rows", std::move(list)}}});
  } else if (key.op == "link.delete") {
    for (const auto* r : rows) {
      ends.emplace_back(key.a, string_at(object_at(r->payload, "source"), "id"));
      ends.emplace_back(key.b, string_at(object_at(r->payload, "target"), "id"));
    }
    out.push_back({"UNWIND $rows AS r MATCH (:" + key.a + " {id: r.source.id})-[l:LINKED_TO {id: r.id}]->(:" + key.b +
                       " {id: r.target.id}) DELETE l",
                   bj::object{{"rows", std::move(list)}}});
    add_orphan_cleanup(out, ends);
  } else if (key.op == "node.update") {
    const auto type = string_at(first, "type");
    out.push_back({"UNWIND $rows AS r MATCH (n:" + key.a + " {id: r.id}) SET n." + title_property(type) + " = r.title",
                   bj::object{{"rows", std::move(list)}}});
  } else if (key.op == "node.delete") {
    for (const auto* r : rows) {
      const auto* others = r->payload.if_contains("others");
      if (others != nullptr && others->is_array()) {
        for (const auto& other : others->as_array()) {
          if (other.is_object()) {
            ends.emplace_back(label_of(string_at(other.as_object(), "type")), string_at(other.as_object(), "id"));
          }
        }
      }
    }
    out.push_back({"UNWIND $rows AS r MATCH (n:" + key.a + " {id: r.id}) DETACH DELETE n",
                   bj::object{{"rows", std::move(list)}}});
    add_orphan_cleanup(out, ends);
  } else if (key.op == "project.delete") {
    out.push_back({"MATCH (n) WHERE n.projectId = $projectId DETACH DELETE n",
                   bj::object{{"projectId", key.project}}});
  }
  rows.clear();
}

}  // namespace

std::string label_of(std::string_view type) {
  if (type.empty() || type.size() > 32 ||
      !std::all_of(type.begin(), type.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    throw std::invalid_argument("not an artifact type: " + std::string(type));
  }
  std::string label(type);
  std::transform(label.begin() + 1, label.end(), label.begin() + 1, [](char c) { return static_cast<char>(c - 'A' + 'a'); });
  return label;
}

std::string title_property(std::string_view type) {
  if (type == "FILE" || type == "PAGE") {
    return "name";
  }
  if (type == "MESSAGE") {
    return "contentPreview";
  }
  return "title";
}

std::vector<CypherStatement> plan(const std::vector<OutboxRow>& rows) {
  std::vector<CypherStatement> out;
  std::vector<const OutboxRow*> group;
  GroupKey current;
  for (const auto& row : rows) {
    auto key = key_of(row);
    if (!group.empty() && !(key == current)) {
      add_group(out, current, group);
    }
    current = std::move(key);
    group.push_back(&row);
  }
  add_group(out, current, group);
  return out;
}

std::vector<std::string> schema_statements(const std::vector<std::string>& types) {
  std::vector<std::string> out;
  for (const auto& type : types) {
    const auto label = label_of(type);
    std::string lower = type;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(c - 'A' + 'a'); });
    out.push_back("CREATE CONSTRAINT " + lower + "_id IF NOT EXISTS FOR (n:" + label + ") REQUIRE n.id IS UNIQUE");
    out.push_back("CREATE INDEX " + lower + "_project IF NOT EXISTS FOR (n:" + label + ") ON (n.projectId)");
  }
  out.push_back("CREATE INDEX linked_to_id IF NOT EXISTS FOR ()-[l:LINKED_TO]-() ON (l.id)");
  return out;
}

}  // namespace collabdev::graph
