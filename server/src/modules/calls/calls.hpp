#pragma once
// Calls of a project: start (or join the one that is on: one active call per project, enforced
// by the database), join, leave, end (its starter, a MAINTAINER or an OWNER), the history with
// durations and participants, and what a participant needs to connect its media (ICE servers
// with short-lived TURN credentials, a LiveKit token when an SFU is configured).
// Lifecycle events go to the project room after commit (channels::project_calls); a call ends by
// itself when its last participant leaves or stays away from the call room longer than the TTL
// (the sweeper, which runs on every instance).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/projects.hpp"

namespace collabdev::calls {

struct Options {
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;
  std::chrono::seconds turn_ttl{3600};
  std::chrono::seconds call_ttl{30};  // longest absence from the call room before one is dropped
  std::string livekit_url;            // empty: full mesh
  std::string livekit_api_key;
  std::string livekit_api_secret;
};

// Who is connected to a call room right now, across instances (the gateway's presence).
using PresentIn = std::function<awaitable<std::vector<std::string>>(std::string room)>;

class CallsService {
 public:
  CallsService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, projects::ProjectsService& projects,
               Options options);
  void register_routes(http::Router& router);

  // For the call room: the call's project and the user's name when the user is in the call now
  // (and a member of its project); nullopt otherwise.
  struct Participant {
    std::string project_id;
    std::string name;
  };
  awaitable<std::optional<Participant>> participant(const std::string& call_id, const std::string& user_id);
  awaitable<std::optional<std::string>> project_of(const std::string& call_id);

  // Takes out participants that have been away from their call room longer than the TTL and
  // ends calls left empty, every `period`, on this instance.
  void start_sweeper(executor ex, PresentIn present, std::chrono::milliseconds period);
  // One pass of it (also for tests).
  awaitable<void> sweep(const PresentIn& present);

  const Options& options() const { return options_; }

 private:
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> get(http::Request& req);
  awaitable<http::Response> start(http::Request& req);
  awaitable<http::Response> join(http::Request& req);
  awaitable<http::Response> leave(http::Request& req);
  awaitable<http::Response> end(http::Request& req);
  awaitable<http::Response> connection(http::Request& req);

  // Leaves outside any request (the sweeper): no-op when the user already left.
  awaitable<void> drop(const std::string& call_id, const std::string& user_id);
  awaitable<boost::json::object> load(db::Transaction& tx, const std::string& call_id, const std::string& project_id);
  awaitable<boost::json::object> load(const std::string& call_id, const std::string& project_id);
  // `type` on the project's calls channel; call.left and call.ended also on the call's own channel.
  awaitable<void> publish(std::string_view type, const boost::json::object& call, const std::string& user_id);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  projects::ProjectsService& projects_;
  Options options_;
};

}  // namespace collabdev::calls
