#pragma once
// Accounts and sessions: registration, sign-in, sign-out, profile, password change, and the one
// question every other feature asks: who is calling?
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/password_hasher.hpp"
#include "modules/auth/rate_limiter.hpp"

namespace collabdev::auth {

struct Principal {
  std::string user_id;
  std::string session_id;
  bool via_cookie = false;
};

struct Options {
  std::chrono::seconds session_ttl{30 * 24 * 3600};
  bool cookie_secure = false;
  std::vector<std::string> allowed_origins;
  std::size_t login_failures_per_account = 5;
  std::size_t login_failures_per_address = 30;
  std::chrono::seconds login_window{15 * 60};
  // Registrations one client address may make per hour: each costs an argon2id hash.
  std::size_t registrations_per_address = 60;
};

inline constexpr std::string_view session_cookie = "collabdev_session";

class AuthService {
 public:
  // `bus` carries sign-outs to open WebSockets (channels::sessions_revoked); null: no one listens.
  AuthService(std::shared_ptr<db::Pool> pool, std::shared_ptr<PasswordHasher> hasher, Options options,
              std::shared_ptr<bus::Bus> bus = nullptr);

  // The caller's session: 401 when there is none or it expired or was revoked; 403 when a
  // cookie-authenticated request that changes state fails the CSRF check.
  awaitable<Principal> require(const http::Request& req);
  // For the WebSocket gateway: a token (from the cookie or the first message) to a principal.
  awaitable<std::optional<Principal>> authenticate_token(std::string_view token);
  // Of these user_sessions ids, the ones still valid (the gateway re-checks after a bus reconnect).
  awaitable<std::vector<std::string>> live_sessions(std::vector<std::string> session_ids);

  void register_routes(http::Router& router);
  // Deletes expired sessions every `period` until the executor stops.
  void start_purger(executor ex, std::chrono::seconds period);

 private:
  awaitable<http::Response> register_user(http::Request& req);
  awaitable<http::Response> login(http::Request& req);
  awaitable<http::Response> logout(http::Request& req);
  awaitable<http::Response> logout_all(http::Request& req);
  awaitable<http::Response> me(http::Request& req);
  awaitable<http::Response> update_me(http::Request& req);
  awaitable<http::Response> change_password(http::Request& req);
  // Creates a session on a connection of its own: callers hold none while they hash.
  awaitable<http::Response> issue_session(const std::string& user_id, int status, boost::json::object user);
  // Tells every instance's gateway to close the sockets of these sessions (after commit).
  awaitable<void> publish_revoked(const db::Result& deleted_sessions);
  struct PresentedToken {
    std::string token;
    bool via_cookie = false;
  };
  // The token a request carries (Bearer first, then the cookie, CSRF-checked); 401 when none.
  PresentedToken presented_token(const http::Request& req) const;
    std::string cookie_header(const std::string& token, std::chrono::seconds max_age) const;
  void check_csrf(const http::Request& req) const;

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<PasswordHasher> hasher_;
  Options options_;
  std::shared_ptr<bus::Bus> bus_;
  FailureLimiter by_account_;
  FailureLimiter by_address_;
  // Counts registration attempts (not only failures) per client address.
  FailureLimiter registrations_by_address_{options_.registrations_per_address, std::chrono::hours(1)};
};

// Shared by tests and the WebSocket gateway.
std::string new_token();
std::string token_hash(std::string_view token);
bool valid_email(std::string_view email);

}  // namespace collabdev::auth
