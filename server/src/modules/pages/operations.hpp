#pragma once
// Operations on a page's structure, addressed by node id and never by index alone (the actions
// Craft.js applies to its flat node map): insert a subtree after a sibling, move, delete, update
// props and styles per key, duplicate with fresh ids. Applying one either changes the structure and
// returns its inverse (what per-user undo sends), or refuses with a reason code and the field in
// error and leaves the structure as it was.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "modules/pages/structure.hpp"

namespace collabdev::pages {

enum class OpKind { insert, move, remove, update, duplicate };

struct Operation {
  OpKind kind = OpKind::update;
  std::string id;                    // the node addressed (insert: the root of the inserted subtree)
  std::string parent;                // insert, move: the new parent
  std::optional<std::string> after;  // insert, move: the sibling to follow; empty: first child
  std::vector<Node> nodes;           // insert: the subtree, its root first, children lists within it
  bj::object props;                  // update: prop -> new value, or null to remove an optional prop
  bj::object style;                  // update: breakpoint -> {key -> token, or null to remove}
  std::vector<std::pair<std::string, std::string>> ids;  // duplicate: every id of the subtree -> its copy's

  bool operator==(const Operation& other) const;
};

// The JSON form (docs/pages.md):
//   {"op":"insert","parent":p,"after":s|null,"id":n,"nodes":{n:{type,props,style,children},...}}
//   {"op":"move","id":n,"parent":p,"after":s|null}
//   {"op":"delete","id":n}
//   {"op":"update","id":n,"props":{k:v|null},"style":{"md":{k:t|null}}}
//   {"op":"duplicate","id":n,"ids":{n:copy,...}}
// Throws PageError (malformed, or the props' own errors) naming the field.
Operation parse_operation(const bj::value& json);
bj::value operation_to_json(const Operation& op);

// Applies `op` and returns its inverse. Throws PageError: not_found (id, parent or after),
// id_taken, into_own_subtree, not_a_container, root_fixed, too_many_nodes, too_deep, or the props'
// errors; the structure is unchanged then.
Operation apply(Structure& structure, const Operation& op);

// The duplicate of `id` with ids made by `fresh` (called once per node of the subtree, tree order).
Operation make_duplicate(const Structure& structure, const std::string& id,
                         const std::function<std::string()>& fresh);

}  // namespace collabdev::pages
