#include "modules/projects/policy.hpp"

namespace collabdev::projects {

std::optional<Role> parse_role(std::string_view s) {
  if (s == "OWNER") {
    return Role::owner;
  }
  if (s == "MAINTAINER") {
    return Role::maintainer;
  }
  if (s == "MEMBER") {
    return Role::member;
  }
  return std::nullopt;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::owner: return "OWNER";
    case Role::maintainer: return "MAINTAINER";
    case Role::member: return "MEMBER";
  }
  return "MEMBER";
}

bool allowed(Role actor, Action action, std::optional<Role> target, std::optional<Role> new_role) {
  const bool owner = actor == Role::owner;
  const bool maintainer = actor == Role::maintainer;
  switch (action) {
    case Action::view_project:
    case Action::view_members:
    case Action::edit_tasks:
    case Action::post_message:
    case Action::edit_links:
    case Action::join_call:
      return true;
    case Action::update_project:
    case Action::manage_columns:
    case Action::moderate_messages:
    case Action::end_others_call:
      return owner || maintainer;
    case Action::delete_project:
    case Action::transfer_ownership:
      return owner;
    case Action::add_member:
      // A MAINTAINER brings in MEMBERs only; OWNERs may grant any role.
      return owner || (maintainer && new_role == Role::member);
    case Action::manage_invitations:
      return owner || maintainer;
    case Action::invite:
      // As adding a member, except that no link makes an OWNER.
      return new_role != Role::owner && allowed(actor, Action::add_member, std::nullopt, new_role);
    case Action::change_role:
      return owner;
    case Action::remove_member:
      return owner || (maintainer && target == Role::member);
  }
  return false;
}

}  // namespace collabdev::projects
