#pragma once
// A page's structure: a tree of components kept as a flat map of nodes addressed by stable ids
// (the form Craft.js keeps its editor state in), parsed from and printed to the JSON that the
// `pages.structure` column holds. Every node is validated on the way in: its type, its props
// (types, lengths, enumerations, safe URLs), its style tokens per breakpoint, and the tree's
// limits. Pure: no I/O, no database (docs/pages.md).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace collabdev::pages {

namespace bj = boost::json;

inline constexpr std::size_t max_nodes = 5000;
inline constexpr std::size_t max_depth = 32;             // nodes on the path from the root, the root included
inline constexpr std::size_t max_structure_bytes = 8u << 20;
inline constexpr std::size_t max_id_length = 36;
inline constexpr std::size_t max_route_length = 255;

enum class ErrorCode {
  malformed,         // not JSON of the expected shape
  unknown_type,      // a component type that does not exist
  invalid_value,     // a prop or style of the wrong type, length, range or enumeration
  unsafe_url,        // a URL outside http, https, mailto, tel, relative paths and #anchors
  too_many_nodes,    // more than max_nodes
  too_deep,          // deeper than max_depth
  not_found,         // the node an operation addresses does not exist
  id_taken,          // an inserted id already exists
  into_own_subtree,  // a move into the moved node itself or below it
  not_a_container,   // a parent that cannot hold children, or a child it cannot hold
  root_fixed,        // the root cannot be moved, deleted or duplicated
  invalid_route,     // a route outside the form `/`, `/pricing`, `/docs/getting-started`
};

// The stable name of a code, as the API reports it ("unsafe_url", ...).
std::string_view error_name(ErrorCode code);

class PageError : public std::runtime_error {
 public:
  // `path` names the field: `nodes.<id>.props.href`, `nodes.<id>.style.md.gap`, `parent`, ...
  PageError(ErrorCode code, std::string path, const std::string& message)
      : std::runtime_error(message), code_(code), path_(std::move(path)) {}
  ErrorCode code() const { return code_; }
  const std::string& path() const { return path_; }

 private:
  ErrorCode code_;
  std::string path_;
};

enum class Component {
  Page, Section, Container, Stack, Grid, Spacer, Divider, Heading, Text, Link, Button, Image, List,
  Quote, CodeBlock, Form, Input, Textarea, Select, Checkbox, Embed,
};
inline constexpr std::size_t component_count = 21;

std::string_view component_name(Component c);
bool parse_component(std::string_view name, Component& out);
// Whether nodes of this type hold children.
bool is_container(Component c);

struct Node {
  std::string id;
  Component type = Component::Container;
  std::string parent;  // empty for the root
  std::vector<std::string> children;
  bj::object props;    // validated, in the component's prop order, optional props absent
  bj::object style;    // {"base"|"md"|"lg": {key: token}}, validated, empty breakpoints absent
};

class Structure {
 public:
  // A page with an empty root. `title` is the root's (and the generated metadata's) title.
  static Structure empty(std::string_view title);
  // Throws PageError naming the field (`nodes.<id>.props.href`).
  static Structure from_json(const bj::value& json);
  static Structure parse(std::string_view json_text);

  bj::value to_json() const;  // nodes in tree order: the same structure prints the same bytes
  std::string to_json_text() const;

  const std::string& root_id() const { return root_; }
  const Node& root() const { return nodes_.at(root_); }
  const Node* find(std::string_view id) const;
  Node* find_mutable(std::string_view id);
  std::size_t size() const { return nodes_.size(); }
  // Nodes on the path from the root to `id`, both included.
  std::size_t depth_of(std::string_view id) const;
  // Levels of the subtree under `id`, `id` included (a leaf is 1).
  std::size_t height_of(std::string_view id) const;
  // The subtree under `id` in tree order, `id` first.
  std::vector<std::string> subtree(std::string_view id) const;
  bool is_ancestor(std::string_view ancestor, std::string_view id) const;  // or the same node

  // The tree's own invariants (parents and children agree, every node reachable, limits), by
  // printing and parsing again. Throws PageError or std::logic_error: for tests and fuzzing.
  void check_invariants() const;

  // Used by operations; they keep the invariants.
  std::unordered_map<std::string, Node>& nodes() { return nodes_; }
  const std::unordered_map<std::string, Node>& nodes() const { return nodes_; }

  bool operator==(const Structure& other) const { return to_json_text() == other.to_json_text(); }

 private:
  std::string root_;
  std::unordered_map<std::string, Node> nodes_;
};

// Node ids: 1 to 36 of [A-Za-z0-9_-] (made by clients: a UUID or a shorter random id).
bool is_node_id(std::string_view id);

// Validates the props of a node of type `c` (unknown props are refused) and returns them in the
// component's order. `path` prefixes field names in errors (`nodes.<id>.props`).
bj::object validate_props(Component c, const bj::value& props, const std::string& path);
// Validates a style object ({"base"|"md"|"lg": {key: token}}) for a node of type `c`.
bj::object validate_style(Component c, const bj::value& style, const std::string& path);
// A node from its JSON ({"type", "props", "style", "children"}), children ids checked for form only.
Node node_from_json(std::string_view id, const bj::value& json, const std::string& path);
bj::object node_to_json(const Node& node);

// URLs a link may point to: http(s), mailto, tel, relative paths, #anchors. Anything with another
// scheme, whitespace, control characters, backslashes, character references or non-ASCII is refused.
bool is_safe_link_url(std::string_view url);
// Image sources: http(s) and root-relative paths (assets placed under `public/`).
bool is_safe_image_url(std::string_view url);
// A link the site serves itself (next/link): starts with one '/'.
bool is_internal_url(std::string_view url);

// `/`, or `/` followed by segments of lower-case letters and digits joined by single '-',
// separated by single '/': `/pricing`, `/docs/getting-started`.
bool is_valid_route(std::string_view route);
// Throws PageError(invalid_route, "route").
void check_route(std::string_view route);

}  // namespace collabdev::pages
