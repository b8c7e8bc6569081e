#include "modules/pages/operations.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace collabdev::pages {
namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& path, const std::string& message) {
  throw PageError(code, path, path + ": " + message);
}

std::string read_id(const bj::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  if (v == nullptr || !v->is_string() || !is_node_id(v->as_string())) {
    fail(ErrorCode::malformed, std::string(field), "must be a node id (1 to 36 of A-Z, a-z, 0-9, _ and -)");
  }
  return std::string(v->as_string());
}

std::optional<std::string> read_after(const bj::object& o) {
  const auto* v = o.if_contains("after");
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  return read_id(o, "after");
}

void only(const bj::object& o, std::initializer_list<std::string_view> fields) {
  for (const auto& [key, value] : o) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      fail(ErrorCode::malformed, std::string(key), "is not a field of this operation");
    }
  }
}

const Node& existing(const Structure& s, const std::string& id, std::string_view field) {
  const Node* n = s.find(id);
  if (n == nullptr) {
    fail(ErrorCode::not_found, std::string(field), "node " + id + " does not exist (it may have been deleted)");
  }
  return *n;
}

// The parent, and the index in its children where a node placed after `after` goes.
std::size_t place(const Structure& s, const std::string& parent, const std::optional<std::string>& after) {
  const Node& p = existing(s, parent, "parent");
  if (!is_container(p.type)) {
    fail(ErrorCode::not_a_container, "parent", std::string(component_name(p.type)) + " holds no children");
  }
  if (!after) {
    return 0;
  }
  const auto it = std::find(p.children.begin(), p.children.end(), *after);
  if (it == p.children.end()) {
    fail(ErrorCode::not_found, "after", "node " + *after + " is not a child of " + parent);
  }
  return static_cast<std::size_t>(it - p.children.begin()) + 1;
}

bool has_form_ancestor(const Structure& s, const std::string& id) {
  for (const Node* n = s.find(id); n != nullptr; n = n->parent.empty() ? nullptr : s.find(n->parent)) {
    if (n->type == Component::Form) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> previous_sibling(const Structure& s, const Node& n) {
  const auto& siblings = s.find(n.parent)->children;
  const auto it = std::find(siblings.begin(), siblings.end(), n.id);
  if (it == siblings.begin()) {
    return std::nullopt;
  }
  return *(it - 1);
}

void detach(Structure& s, const Node& n) {
  auto& siblings = s.find_mutable(n.parent)->children;
  siblings.erase(std::find(siblings.begin(), siblings.end(), n.id));
}

Operation remove_op(const std::string& id) {
  Operation op;
  op.kind = OpKind::remove;
  op.id = id;
  return op;
}

Operation apply_insert(Structure& s, const Operation& op) {
  const auto index = place(s, op.parent, op.after);
  if (op.nodes.empty() || op.nodes.front().id != op.id) {
    fail(ErrorCode::malformed, "nodes", "must hold the inserted node " + op.id + " first");
  }
  if (s.size() + op.nodes.size() > max_nodes) {
    fail(ErrorCode::too_many_nodes, "nodes", "a page holds at most " + std::to_string(max_nodes) + " nodes");
  }
  std::unordered_map<std::string, const Node*> incoming;
  for (const auto& n : op.nodes) {
    const auto path = "nodes." + n.id;
    if (s.find(n.id) != nullptr || !incoming.emplace(n.id, &n).second) {
      fail(ErrorCode::id_taken, path, "node " + n.id + " already exists");
    }
    if (n.type == Component::Page) {
      fail(ErrorCode::not_a_container, path + ".type", "a Page is only the root");
    }
  }
  // The subtree: every node reached once from its root, within the depth left under the parent.
  const std::size_t room = max_depth - std::min(max_depth, s.depth_of(op.parent));
  const bool inside_form = has_form_ancestor(s, op.parent);
  std::unordered_map<std::string, std::string> parent_of;
  std::vector<std::tuple<const Node*, std::size_t, bool>> stack{{incoming.at(op.id), 1, inside_form}};
  std::size_t reached = 0;
  while (!stack.empty()) {
    const auto [n, level, in_form] = stack.back();
    stack.pop_back();
    ++reached;
    if (level > room) {
      fail(ErrorCode::too_deep, "nodes." + n->id, "would be deeper than " + std::to_string(max_depth) + " levels");
    }
    if (n->type == Component::Form && in_form) {
      fail(ErrorCode::not_a_container, "nodes." + n->id, "a Form cannot be inside a Form");
    }
    for (const auto& c : n->children) {
      const auto child = incoming.find(c);
      if (child == incoming.end()) {
        fail(ErrorCode::not_found, "nodes." + n->id + ".children", "names " + c + ", which is not in nodes");
      }
      if (c == op.id || !parent_of.emplace(c, n->id).second) {
        fail(ErrorCode::malformed, "nodes." + n->id + ".children", "names " + c + ", which already has a parent");
      }
      stack.emplace_back(child->second, level + 1, in_form || n->type == Component::Form);
    }
  }
  if (reached != op.nodes.size()) {
    fail(ErrorCode::malformed, "nodes", "holds nodes outside the inserted subtree");
  }
  for (const auto& n : op.nodes) {
    auto copy = n;
    copy.parent = n.id == op.id ? op.parent : parent_of.at(n.id);
    s.nodes().emplace(copy.id, std::move(copy));
  }
  auto& siblings = s.find_mutable(op.parent)->children;
  siblings.insert(siblings.begin() + static_cast<std::ptrdiff_t>(index), op.id);
  return remove_op(op.id);
}

Operation apply_remove(Structure& s, const Operation& op) {
  const Node& n = existing(s, op.id, "id");
  if (n.parent.empty()) {
    fail(ErrorCode::root_fixed, "id", "the page's root cannot be deleted");
  }
  Operation inverse;
  inverse.kind = OpKind::insert;
  inverse.id = op.id;
  inverse.parent = n.parent;
  inverse.after = previous_sibling(s, n);
  for (const auto& id : s.subtree(op.id)) {
    inverse.nodes.push_back(*s.find(id));
    inverse.nodes.back().parent.clear();
  }
  detach(s, n);
  for (const auto& node : inverse.nodes) {
    s.nodes().erase(node.id);
  }
  return inverse;
}

Operation apply_move(Structure& s, const Operation& op) {
  const Node& n = existing(s, op.id, "id");
  if (n.parent.empty()) {
    fail(ErrorCode::root_fixed, "id", "the page's root cannot be moved");
  }
  existing(s, op.parent, "parent");
  if (s.is_ancestor(op.id, op.parent)) {
    fail(ErrorCode::into_own_subtree, "parent", "a node cannot move into itself or below itself");
  }
  if (op.after && *op.after == op.id) {
    fail(ErrorCode::not_found, "after", "a node cannot follow itself");
  }
  place(s, op.parent, op.after);  // checks the parent holds children and `after` is one of them
  if (s.depth_of(op.parent) + s.height_of(op.id) > max_depth) {
    fail(ErrorCode::too_deep, "parent", "the node would be deeper than " + std::to_string(max_depth) + " levels");
  }
  if (has_form_ancestor(s, op.parent)) {
    for (const auto& id : s.subtree(op.id)) {
      if (s.find(id)->type == Component::Form) {
        fail(ErrorCode::not_a_container, "parent", "a Form cannot be inside a Form");
      }
    }
  }
  Operation inverse;
  inverse.kind = OpKind::move;
  inverse.id = op.id;
  inverse.parent = n.parent;
  inverse.after = previous_sibling(s, n);
  detach(s, n);
  const auto index = place(s, op.parent, op.after);
  auto& siblings = s.find_mutable(op.parent)->children;
  siblings.insert(siblings.begin() + static_cast<std::ptrdiff_t>(index), op.id);
  s.find_mutable(op.id)->parent = op.parent;
  return inverse;
}

Operation apply_update(Structure& s, const Operation& op) {
  const Node& n = existing(s, op.id, "id");
  Operation inverse;
  inverse.kind = OpKind::update;
  inverse.id = op.id;
  bj::object props = n.props;
  for (const auto& [key, value] : op.props) {
    const auto* old = n.props.if_contains(key);
    inverse.props[key] = old == nullptr ? bj::value(nullptr) : *old;
    if (value.is_null()) {
      props.erase(key);
    } else {
      props[key] = value;
    }
  }
  bj::object style = n.style;
  for (const auto& [breakpoint, changes] : op.style) {
    bj::object undo;
    auto& tokens = style[breakpoint];
    if (!tokens.is_object()) {
      tokens = bj::object();
    }
    for (const auto& [key, value] : changes.as_object()) {
      const auto* old = tokens.as_object().if_contains(key);
      undo[key] = old == nullptr ? bj::value(nullptr) : *old;
      if (value.is_null()) {
        tokens.as_object().erase(key);
      } else {
        tokens.as_object()[key] = value;
      }
    }
    inverse.style[breakpoint] = std::move(undo);
  }
  auto valid_props = validate_props(n.type, props, "props");
  auto valid_style = validate_style(n.type, style, "style");
  Node& target = *s.find_mutable(op.id);
  target.props = std::move(valid_props);
  target.style = std::move(valid_style);
  return inverse;
}

}  // namespace

bool Operation::operator==(const Operation& other) const {
  return operation_to_json(*this) == operation_to_json(other);
}

Operation parse_operation(const bj::value& json) {
  if (!json.is_object()) {
    fail(ErrorCode::malformed, "op", "an operation is a JSON object");
  }
  const auto& o = json.as_object();
  const auto* kind = o.if_contains("op");
  if (kind == nullptr || !kind->is_string()) {
    fail(ErrorCode::malformed, "op", "must be insert, move, delete, update or duplicate");
  }
  const std::string_view k = kind->as_string();
  Operation op;
  if (k == "insert") {
    only(o, {"op", "id", "parent", "after", "nodes"});
    op.kind = OpKind::insert;
    op.id = read_id(o, "id");
    op.parent = read_id(o, "parent");
    op.after = read_after(o);
    const auto* nodes = o.if_contains("nodes");
    if (nodes == nullptr || !nodes->is_object() || nodes->as_object().empty()) {
      fail(ErrorCode::malformed, "nodes", "must be an object of nodes by id");
    }
    if (nodes->as_object().size() > max_nodes) {
      fail(ErrorCode::too_many_nodes, "nodes", "a page holds at most " + std::to_string(max_nodes) + " nodes");
    }
    const auto* root = nodes->as_object().if_contains(op.id);
    if (root == nullptr) {
      fail(ErrorCode::malformed, "nodes", "must hold the inserted node " + op.id);
    }
    op.nodes.push_back(node_from_json(op.id, *root, "nodes." + op.id));
    for (const auto& [id, node] : nodes->as_object()) {
      if (!is_node_id(id)) {
        fail(ErrorCode::malformed, "nodes." + std::string(id), "is not a node id");
      }
      if (id != op.id) {
        op.nodes.push_back(node_from_json(id, node, "nodes." + std::string(id)));
      }
    }
  } else if (k == "move") {
    only(o, {"op", "id", "parent", "after"});
    op.kind = OpKind::move;
    op.id = read_id(o, "id");
    op.parent = read_id(o, "parent");
    op.after = read_after(o);
  } else if (k == "delete") {
    only(o, {"op", "id"});
    op.kind = OpKind::remove;
    op.id = read_id(o, "id");
  } else if (k == "update") {
    only(o, {"op", "id", "props", "style"});
    op.kind = OpKind::update;
    op.id = read_id(o, "id");
    if (const auto* props = o.if_contains("props")) {
      if (!props->is_object() || props->as_object().size() > 32) {
        fail(ErrorCode::malformed, "props", "must be an object of props");
      }
      op.props = props->as_object();
    }
    if (const auto* style = o.if_contains("style")) {
      if (!style->is_object()) {
        fail(ErrorCode::malformed, "style", "must be an object of breakpoints");
      }
      for (const auto& [breakpoint, tokens] : style->as_object()) {
        const auto path = "style." + std::string(breakpoint);
        if (breakpoint != "base" && breakpoint != "md" && breakpoint != "lg") {
          fail(ErrorCode::invalid_value, path, "is not a breakpoint (base, md, lg)");
        }
        if (!tokens.is_object() || tokens.as_object().size() > 32) {
          fail(ErrorCode::malformed, path, "must be an object of style tokens");
        }
      }
      op.style = style->as_object();
    }
    if (op.props.empty() && op.style.empty()) {
      fail(ErrorCode::malformed, "props", "an update changes at least one prop or style");
    }
  } else if (k == "duplicate") {
    only(o, {"op", "id", "ids"});
    op.kind = OpKind::duplicate;
    op.id = read_id(o, "id");
    const auto* ids = o.if_contains("ids");
    if (ids == nullptr || !ids->is_object() || ids->as_object().empty() || ids->as_object().size() > max_nodes) {
      fail(ErrorCode::malformed, "ids", "must map every id of the duplicated subtree to a new id");
    }
    for (const auto& [from, to] : ids->as_object()) {
      if (!is_node_id(from) || !to.is_string() || !is_node_id(to.as_string())) {
        fail(ErrorCode::malformed, "ids." + std::string(from), "must map a node id to a new node id");
      }
      op.ids.emplace_back(std::string(from), std::string(to.as_string()));
    }
  } else {
    fail(ErrorCode::malformed, "op", "must be insert, move, delete, update or duplicate");
  }
  return op;
}

bj::value operation_to_json(const Operation& op) {
  bj::object o;
  switch (op.kind) {
    case OpKind::insert: {
      o["op"] = "insert";
      o["id"] = op.id;
      o["parent"] = op.parent;
      o["after"] = op.after ? bj::value(*op.after) : bj::value(nullptr);
      bj::object nodes;
      for (const auto& n : op.nodes) {
        nodes[n.id] = node_to_json(n);
      }
      o["nodes"] = std::move(nodes);
      break;
    }
    case OpKind::move:
      o["op"] = "move";
      o["id"] = op.id;
      o["parent"] = op.parent;
      o["after"] = op.after ? bj::value(*op.after) : bj::value(nullptr);
      break;
    case OpKind::remove:
      o["op"] = "delete";
      o["id"] = op.id;
      break;
    case OpKind::update:
      o["op"] = "update";
      o["id"] = op.id;
      if (!op.props.empty()) {
        o["props"] = op.props;
      }
      if (!op.style.empty()) {
        o["style"] = op.style;
      }
      break;
    case OpKind::duplicate: {
      o["op"] = "duplicate";
      o["id"] = op.id;
      bj::object ids;
      for (const auto& [from, to] : op.ids) {
        ids[from] = to;
      }
      o["ids"] = std::move(ids);
      break;
    }
  }
  return o;
}

Operation apply(Structure& structure, const Operation& op) {
  switch (op.kind) {
    case OpKind::insert:
      return apply_insert(structure, op);
    case OpKind::move:
      return apply_move(structure, op);
    case OpKind::remove:
      return apply_remove(structure, op);
    case OpKind::update:
      return apply_update(structure, op);
    case OpKind::duplicate: {
      const Node& n = existing(structure, op.id, "id");
      if (n.parent.empty()) {
        fail(ErrorCode::root_fixed, "id", "the page's root cannot be duplicated");
      }
      const auto subtree = structure.subtree(op.id);
      std::unordered_map<std::string, std::string> fresh(op.ids.begin(), op.ids.end());
      if (fresh.size() != op.ids.size() || fresh.size() != subtree.size()) {
        fail(ErrorCode::malformed, "ids", "must map each of the " + std::to_string(subtree.size()) +
                                              " ids of the subtree once");
      }
      for (const auto& id : subtree) {
        if (!fresh.contains(id)) {
          fail(ErrorCode::malformed, "ids." + id, "a new id is needed for " + id);
        }
      }
      Operation insert;
      insert.kind = OpKind::insert;
      insert.parent = n.parent;
      insert.after = op.id;
      for (const auto& id : subtree) {
        Node copy = *structure.find(id);
        copy.id = fresh.at(id);
        copy.parent.clear();
        for (auto& c : copy.children) {
          c = fresh.at(c);
        }
        insert.nodes.push_back(std::move(copy));
      }
      insert.id = insert.nodes.front().id;
      try {
        return apply_insert(structure, insert);
      } catch (const PageError& e) {
        // Name the field of the duplicate, not of the insert it became.
        if (e.code() == ErrorCode::id_taken) {
          fail(ErrorCode::id_taken, "ids", e.what());
        }
        throw;
      }
    }
  }
  fail(ErrorCode::malformed, "op", "unknown operation");
}

Operation make_duplicate(const Structure& structure, const std::string& id, const std::function<std::string()>& fresh) {
  Operation op;
  op.kind = OpKind::duplicate;
  op.id = id;
  if (structure.find(id) != nullptr) {
    for (const auto& n : structure.subtree(id)) {
      op.ids.emplace_back(n, fresh());
    }
  }
  return op;
}

}  // namespace collabdev::pages
