#pragma once
// Who is in a project right now, across every instance (the seed's presence:project:<id> set).
#include <memory>

#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/projects.hpp"
#include "realtime/gateway.hpp"

namespace collabdev::presence {

class PresenceService {
 public:
  PresenceService(std::shared_ptr<db::Pool> pool, realtime::Gateway& gateway, auth::AuthService& auth,
                  projects::ProjectsService& projects);
  void register_routes(http::Router& router);

 private:
  awaitable<http::Response> list(http::Request& req);
  std::shared_ptr<db::Pool> pool_;
  realtime::Gateway& gateway_;
  auth::AuthService& auth_;
  projects::ProjectsService& projects_;
};

}  // namespace collabdev::presence
