#include <gtest/gtest.h>

#include "modules/projects/policy.hpp"

using namespace collabdev::projects;

TEST(Policy, RoleMatrix) {
  EXPECT_TRUE(allowed(Role::owner, Action::delete_project));
  EXPECT_TRUE(allowed(Role::member, Action::edit_links));
  EXPECT_TRUE(allowed(Role::maintainer, Action::edit_links));
  EXPECT_FALSE(allowed(Role::maintainer, Action::delete_project));
  EXPECT_FALSE(allowed(Role::member, Action::delete_project));
  EXPECT_TRUE(allowed(Role::maintainer, Action::update_project));
  EXPECT_FALSE(allowed(Role::member, Action::update_project));
  EXPECT_TRUE(allowed(Role::maintainer, Action::add_member, std::nullopt, Role::member));
  EXPECT_FALSE(allowed(Role::maintainer, Action::add_member, std::nullopt, Role::maintainer));
  EXPECT_FALSE(allowed(Role::maintainer, Action::add_member, std::nullopt, Role::owner));
  EXPECT_TRUE(allowed(Role::owner, Action::add_member, std::nullopt, Role::owner));
  EXPECT_FALSE(allowed(Role::member, Action::add_member, std::nullopt, Role::member));
  EXPECT_TRUE(allowed(Role::maintainer, Action::remove_member, Role::member));
  EXPECT_FALSE(allowed(Role::maintainer, Action::remove_member, Role::maintainer));
  EXPECT_FALSE(allowed(Role::maintainer, Action::remove_member, Role::owner));
  EXPECT_FALSE(allowed(Role::member, Action::remove_member, Role::member));
  EXPECT_TRUE(allowed(Role::owner, Action::change_role, Role::member, Role::maintainer));
  EXPECT_FALSE(allowed(Role::maintainer, Action::change_role, Role::member, Role::maintainer));
  EXPECT_TRUE(allowed(Role::member, Action::edit_tasks));
  EXPECT_FALSE(allowed(Role::member, Action::manage_columns));
}

TEST(Policy, InvitationLinksNeverMakeAnOwner) {
  EXPECT_TRUE(allowed(Role::owner, Action::manage_invitations));
  EXPECT_TRUE(allowed(Role::maintainer, Action::manage_invitations));
  EXPECT_FALSE(allowed(Role::member, Action::manage_invitations));
  EXPECT_TRUE(allowed(Role::owner, Action::invite, std::nullopt, Role::maintainer));
  EXPECT_TRUE(allowed(Role::owner, Action::invite, std::nullopt, Role::member));
  EXPECT_FALSE(allowed(Role::owner, Action::invite, std::nullopt, Role::owner));
  EXPECT_TRUE(allowed(Role::maintainer, Action::invite, std::nullopt, Role::member));
  EXPECT_FALSE(allowed(Role::maintainer, Action::invite, std::nullopt, Role::maintainer));
  EXPECT_FALSE(allowed(Role::member, Action::invite, std::nullopt, Role::member));
}

TEST(Policy, CallsAreForEveryMemberAndEndingOthersCallsForMaintainers) {
  for (auto r : {Role::owner, Role::maintainer, Role::member}) {
    EXPECT_TRUE(allowed(r, Action::join_call));
  }
  EXPECT_TRUE(allowed(Role::owner, Action::end_others_call));
  EXPECT_TRUE(allowed(Role::maintainer, Action::end_others_call));
  EXPECT_FALSE(allowed(Role::member, Action::end_others_call));
}
