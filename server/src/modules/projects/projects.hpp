#pragma once
// Projects and their members, and the project scope every project route goes through: the
// project id parsed once into its canonical form, the caller's role resolved (a non-member gets
// 404 for everything inside a project), and for writes the role read again under the project's
// lock, inside the write's transaction.
#include <functional>
#include <memory>
#include <string>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/ordered_events.hpp"
#include "modules/projects/policy.hpp"

namespace collabdev::projects {

// The project a request acts on, as scope() resolved it.
struct Scope {
  std::string project_id;  // canonical: a lower-case UUID (use it for SQL, rooms and channels)
  std::string user_id;     // the caller
  Role role;               // the caller's role; re-read under the lock by lock() and confirm()
  std::string user_name;   // the caller's users.name, read with the role by lock() and confirm()
};

// How a write holds its project. `membership` (FOR UPDATE) for changes of the project and its
// members; `content` (FOR KEY SHARE) for writes inside the project that only need no membership
// change to cross them (chat): they do not wait for one another, nor for board writes.
enum class ProjectLock { membership, content };

class ProjectsService {
 public:
  ProjectsService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth);

  // Every project route starts here: authenticates the caller (401), canonicalises the `{id}`
  // path parameter and reads the caller's role: 404 when the id is malformed, the project does
  // not exist or the caller is not a member; 403 unless the policy allows `action`.
  awaitable<Scope> scope(http::Request& req, Action action = Action::view_project);
  // Writes, first thing in their transaction: takes the project's row lock, then reads the role
  // again under it (404 when the caller is no longer a member, 403 when `action` is no longer
  // allowed), so that a member demoted or removed meanwhile cannot act with the old role.
  awaitable<void> lock(db::Transaction& tx, Scope& scope, Action action, ProjectLock mode);
  // For writes that took the project's row lock with their own statement (board writes number
  // their event by updating projects.board_seq): reads the role again under that lock. It must
  // be a statement of its own: one that waited for the lock still reads the older snapshot.
  awaitable<void> confirm(db::Transaction& tx, Scope& scope, Action action);

  // Board events (channels::project_tasks) in board_seq order, published off the request path.
  OrderedEvents& board_events() { return board_events_; }

  // For callers outside HTTP (room authorisation): the user's role; 404 when the id is malformed
  // or the user is not a member. `project_id` may be in any case.
  awaitable<Role> require_member(const std::string& project_id, const std::string& user_id);
  // As require_member, then 403 unless the policy allows `action`.
  awaitable<Role> require(const std::string& project_id, const std::string& user_id, Action action);

  // Tells the project's room that a membership changed:
  // `kind` is member.added, member.updated, member.removed or project.deleted.
  awaitable<void> publish_membership(const std::string& project_id, std::string_view kind,
                                     const std::string& user_id);

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
  awaitable<void> drop_member(Scope& scope, const std::string& target_id);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  auth::AuthService& auth_;
  OrderedEvents board_events_;
};

}  // namespace collabdev::projects
