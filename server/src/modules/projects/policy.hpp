#pragma once
// Who may do what in a project: the whole role matrix in one place (docs/roles.md mirrors it).
#include <optional>
#include <string_view>

namespace collabdev::projects {

enum class Role { owner, maintainer, member };

std::optional<Role> parse_role(std::string_view s);
std::string_view role_name(Role r);

enum class Action {
  view_project,     // read the project and anything in it
  update_project,   // rename, change description
  delete_project,
  view_members,
  add_member,       // with the target role given
  change_role,      // target's current role and the new role given
  remove_member,    // target's role given
  transfer_ownership,
  manage_invitations,  // list and revoke invitation links, and create them (with `invite`)
  invite,              // create an invitation link giving the new role given
  manage_columns,   // board structure
  edit_tasks,       // create, update, move, delete tasks
  post_message,
  edit_links,       // link artifacts and remove links
  moderate_messages,  // delete others' messages
  join_call,          // start, join and leave the project's call
  end_others_call,    // end a call someone else started (its starter may always end it)
};

// `target` is the role of the member acted on; `new_role` the role given to them.
bool allowed(Role actor, Action action, std::optional<Role> target = std::nullopt,
             std::optional<Role> new_role = std::nullopt);

}  // namespace collabdev::projects
