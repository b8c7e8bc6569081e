#pragma once
// Invitation links: an OWNER or MAINTAINER creates a link that lets whoever opens it join the
// project with a role (MEMBER or MAINTAINER, never OWNER) until it expires, is revoked or has
// been used its maximum number of times. The token is shown once, at creation; only its hash is
// stored (as for sessions).
#include <memory>

#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/projects.hpp"

namespace collabdev::projects {

class InvitationsService {
 public:
  InvitationsService(std::shared_ptr<db::Pool> pool, auth::AuthService& auth, ProjectsService& projects);

  void register_routes(http::Router& router);

 private:
  awaitable<http::Response> create(http::Request& req);
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> revoke(http::Request& req);
  awaitable<http::Response> preview(http::Request& req);
  awaitable<http::Response> accept(http::Request& req);

  std::shared_ptr<db::Pool> pool_;
  auth::AuthService& auth_;
  ProjectsService& projects_;
};

}  // namespace collabdev::projects
