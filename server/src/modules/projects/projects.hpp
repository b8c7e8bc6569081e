#pragma once
// Projects and their members. Other features ask this service whether a user is a member of a
// project, and with which role; a non-member gets 404 for everything inside a project.
#include <functional>
#include <memory>
#include <string>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/policy.hpp"

namespace collabdev::projects {

class ProjectsService {
 public:
  ProjectsService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth);

  // The caller's role in the project; 404 when the id is malformed or the caller is not a member.
  awaitable<Role> require_member(const std::string& project_id, const std::string& user_id);
  // As require_member, then 403 unless the policy allows `action`.
  awaitable<Role> require(const std::string& project_id, const std::string& user_id, Action action);

  void register_routes(http::Router& router);

 private:
  awaitable<http::Response> create(http::Request& req);
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> get(http::Request& req);
  awaitable<http::Response> update(http::Request& req);
  awaitable<http::Response> remove(http::Request& req);
  awaitable<http::Response> list_members(http::Request& req);
  awaitable<http::Response> add_member(http::Request& req);
  awaitable<http::Response> change_role(http::Request& req);
  awaitable<http::Response> remove_member(http::Request& req);
  awaitable<http::Response> leave(http::Request& req);
  awaitable<http::Response> transfer(http::Request& req);
  awaitable<void> drop_member(const std::string& project_id, const std::string& actor_id, Role actor_role,
                              const std::string& target_id);
  awaitable<void> publish_membership(const std::string& project_id, std::string_view kind,
                                     const std::string& user_id);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  auth::AuthService& auth_;
};

// The bus channel on which membership changes of a project are published.
std::string members_channel(std::string_view project_id);

}  // namespace collabdev::projects
