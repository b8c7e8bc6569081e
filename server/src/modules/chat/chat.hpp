#pragma once
// Project chat: send, list newest first with keyset cursors, reply, edit, soft delete; every
// change goes out live on the project's chat channel (channels::project_chat) after it is committed.
#include <memory>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/projects.hpp"

namespace collabdev::chat {

class ChatService {
 public:
  ChatService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth,
              projects::ProjectsService& projects);
  void register_routes(http::Router& router);

 private:
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> send(http::Request& req);
  awaitable<http::Response> edit(http::Request& req);
  awaitable<http::Response> remove(http::Request& req);
  awaitable<void> publish(const std::string& project_id, std::string_view type, const boost::json::object& message);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  auth::AuthService& auth_;
  projects::ProjectsService& projects_;
};

}  // namespace collabdev::chat
