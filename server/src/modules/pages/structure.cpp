#include "modules/pages/structure.hpp"

#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace collabdev::pages {
namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& path, const std::string& message) {
  throw PageError(code, path, path + ": " + message);
}

const bj::object& object_at(const bj::value& v, const std::string& path) {
  if (!v.is_object()) {
    fail(ErrorCode::malformed, path, "must be an object");
  }
  return v.as_object();
}

}  // namespace

Node node_from_json(std::string_view id, const bj::value& json, const std::string& path) {
  const auto& o = object_at(json, path);
  for (const auto& [key, value] : o) {
    if (key != "type" && key != "props" && key != "style" && key != "children") {
      fail(ErrorCode::malformed, path + "." + std::string(key), "is not a field of a node");
    }
  }
  Node node;
  node.id = std::string(id);
  const auto* type = o.if_contains("type");
  if (type == nullptr || !type->is_string()) {
    fail(ErrorCode::malformed, path + ".type", "is required");
  }
  if (!parse_component(type->as_string(), node.type)) {
    fail(ErrorCode::unknown_type, path + ".type", "is not a component");
  }
  const auto* props = o.if_contains("props");
  node.props = validate_props(node.type, props == nullptr ? bj::value(bj::object()) : *props, path + ".props");
  if (const auto* style = o.if_contains("style"); style != nullptr && !style->is_null()) {
    node.style = validate_style(node.type, *style, path + ".style");
  }
  if (const auto* children = o.if_contains("children"); children != nullptr && !children->is_null()) {
    if (!children->is_array()) {
      fail(ErrorCode::malformed, path + ".children", "must be an array of node ids");
    }
    if (!children->as_array().empty() && !is_container(node.type)) {
      fail(ErrorCode::not_a_container, path + ".children", std::string(component_name(node.type)) + " holds no children");
    }
    if (children->as_array().size() > max_nodes) {
      fail(ErrorCode::too_many_nodes, path + ".children", "too many children");
    }
    for (const auto& child : children->as_array()) {
      if (!child.is_string() || !is_node_id(child.as_string())) {
        fail(ErrorCode::malformed, path + ".children", "must be an array of node ids");
      }
      node.children.emplace_back(child.as_string());
    }
  }
  return node;
}

bj::object node_to_json(const Node& node) {
  bj::object o;
  o["type"] = component_name(node.type);
  o["props"] = node.props;
  if (!node.style.empty()) {
    o["style"] = node.style;
  }
  if (is_container(node.type)) {
    bj::array children;
    for (const auto& c : node.children) {
      children.emplace_back(c);
    }
    o["children"] = std::move(children);
  }
  return o;
}

Structure Structure::empty(std::string_view title) {
  Structure s;
  s.root_ = "root";
  Node root;
  root.id = "root";
  root.type = Component::Page;
  bj::object props;
  props["title"] = title;
  root.props = validate_props(Component::Page, props, "nodes.root.props");
  s.nodes_.emplace(root.id, std::move(root));
  return s;
}

Structure Structure::parse(std::string_view json_text) {
  if (json_text.size() > max_structure_bytes) {
    fail(ErrorCode::too_many_nodes, "structure", "is larger than " + std::to_string(max_structure_bytes) + " bytes");
  }
  boost::system::error_code ec;
  bj::parse_options options;
  options.max_depth = 16;  // nodes are flat: props nest a few levels only
  const auto value = bj::parse(json_text, ec, {}, options);
  if (ec) {
    fail(ErrorCode::malformed, "structure", "is not valid JSON");
  }
  return from_json(value);
}

Structure Structure::from_json(const bj::value& json) {
  const auto& o = object_at(json, "structure");
  for (const auto& [key, value] : o) {
    if (key != "version" && key != "root" && key != "nodes") {
      fail(ErrorCode::malformed, std::string(key), "is not a field of a structure");
    }
  }
  if (const auto* version = o.if_contains("version"); version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    fail(ErrorCode::malformed, "version", "must be 1");
  }
  const auto* root = o.if_contains("root");
  if (root == nullptr || !root->is_string() || !is_node_id(root->as_string())) {
    fail(ErrorCode::malformed, "root", "must be a node id");
  }
  const auto* nodes = o.if_contains("nodes");
  if (nodes == nullptr || !nodes->is_object()) {
    fail(ErrorCode::malformed, "nodes", "must be an object of nodes by id");
  }
  if (nodes->as_object().size() > max_nodes) {
    fail(ErrorCode::too_many_nodes, "nodes", "must hold at most " + std::to_string(max_nodes) + " nodes");
  }
  Structure s;
  s.root_ = std::string(root->as_string());
  for (const auto& [id, node] : nodes->as_object()) {
    const auto path = "nodes." + std::string(id);
    if (!is_node_id(id)) {
      fail(ErrorCode::malformed, path, "is not a node id (1 to 36 of A-Z, a-z, 0-9, _ and -)");
    }
    s.nodes_.emplace(std::string(id), node_from_json(id, node, path));
  }
  const auto root_node = s.nodes_.find(s.root_);
  if (root_node == s.nodes_.end()) {
    fail(ErrorCode::malformed, "root", "names no node");
  }
  if (root_node->second.type != Component::Page) {
    fail(ErrorCode::malformed, "nodes." + s.root_ + ".type", "the root must be a Page");
  }
  // Walk from the root: every node once, each with one parent, within the depth limit.
  std::vector<std::pair<std::string, std::size_t>> stack{{s.root_, 1}};
  std::size_t reached = 0;
  while (!stack.empty()) {
    const auto [id, depth] = stack.back();
    stack.pop_back();
    ++reached;
    const auto path = "nodes." + id;
    if (depth > max_depth) {
      fail(ErrorCode::too_deep, path, "is deeper than " + std::to_string(max_depth) + " levels");
    }
    for (const auto& child : s.nodes_.at(id).children) {
      const auto c = s.nodes_.find(child);
      if (c == s.nodes_.end()) {
        fail(ErrorCode::not_found, path + ".children", "names " + child + ", which is not a node");
      }
      if (!c->second.parent.empty() || child == s.root_) {
        fail(ErrorCode::malformed, path + ".children", "names " + child + ", which already has a parent");
      }
      if (c->second.type == Component::Page) {
        fail(ErrorCode::not_a_container, path + ".children", "a Page is only the root");
      }
      c->second.parent = id;
      stack.emplace_back(child, depth + 1);
    }
  }
  if (reached != s.nodes_.size()) {
    for (const auto& [id, node] : s.nodes_) {
      if (node.parent.empty() && id != s.root_) {
        fail(ErrorCode::malformed, "nodes." + id, "is not in the tree");
      }
    }
  }
  for (const auto& [id, node] : s.nodes_) {
    if (node.type == Component::Form) {
      for (auto p = node.parent; !p.empty(); p = s.nodes_.at(p).parent) {
        if (s.nodes_.at(p).type == Component::Form) {
          fail(ErrorCode::not_a_container, "nodes." + id, "a Form cannot be inside a Form");
        }
      }
    }
  }
  return s;
}

bj::value Structure::to_json() const {
  bj::object nodes;
  for (const auto& id : subtree(root_)) {
    nodes[id] = node_to_json(nodes_.at(id));
  }
  bj::object o;
  o["version"] = 1;
  o["root"] = root_;
  o["nodes"] = std::move(nodes);
  return o;
}

std::string Structure::to_json_text() const { return bj::serialize(to_json()); }

const Node* Structure::find(std::string_view id) const {
  const auto it = nodes_.find(std::string(id));
  return it == nodes_.end() ? nullptr : &it->second;
}

Node* Structure::find_mutable(std::string_view id) {
  const auto it = nodes_.find(std::string(id));
  return it == nodes_.end() ? nullptr : &it->second;
}

std::size_t Structure::depth_of(std::string_view id) const {
  std::size_t depth = 0;
  for (const Node* n = find(id); n != nullptr; n = n->parent.empty() ? nullptr : find(n->parent)) {
    ++depth;
  }
  return depth;
}

std::size_t Structure::height_of(std::string_view id) const {
  std::size_t height = 0;
  std::vector<std::pair<const Node*, std::size_t>> stack{{find(id), 1}};
  while (!stack.empty()) {
    const auto [n, level] = stack.back();
    stack.pop_back();
    height = std::max(height, level);
    for (const auto& c : n->children) {
      stack.emplace_back(find(c), level + 1);
    }
  }
  return height;
}

std::vector<std::string> Structure::subtree(std::string_view id) const {
  std::vector<std::string> out;
  std::vector<const Node*> stack{find(id)};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    out.push_back(n->id);
    for (auto c = n->children.rbegin(); c != n->children.rend(); ++c) {
      stack.push_back(find(*c));
    }
  }
  return out;
}

bool Structure::is_ancestor(std::string_view ancestor, std::string_view id) const {
  for (const Node* n = find(id); n != nullptr; n = n->parent.empty() ? nullptr : find(n->parent)) {
    if (n->id == ancestor) {
      return true;
    }
  }
  return false;
}

void Structure::check_invariants() const {
  // Printing and parsing again runs every check the input gets.
  const auto again = from_json(to_json());
  if (again.size() != size()) {
    throw std::logic_error("structure: nodes outside the tree");
  }
  for (const auto& [id, node] : nodes_) {
    const auto& other = again.nodes_.at(id);
    if (other.parent != node.parent) {
      throw std::logic_error("structure: parent of " + id + " disagrees with the children lists");
    }
  }
}

}  // namespace collabdev::pages
