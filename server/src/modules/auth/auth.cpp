#include "modules/auth/auth.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/json.hpp"
#include "modules/auth/queries.hpp"

namespace collabdev::auth {

namespace bj = boost::json;

namespace {

constexpr std::size_t max_password_bytes = 1024;
constexpr std::size_t min_password_chars = 8;

bj::object user_json(const db::Result& r, int row = 0) {
  bj::object u;
  u["id"] = r.get(row, "id");
  u["email"] = r.get(row, "email");
  u["name"] = r.get(row, "name");
  if (auto a = r.get_optional(row, "avatar_url")) {
    u["avatar_url"] = *a;
  } else {
    u["avatar_url"] = nullptr;
  }
  u["created_at"] = r.get(row, "created_at");
  u["updated_at"] = r.get(row, "updated_at");
  return u;
}

std::optional<std::string> bearer_token(const http::Request& req) {
  auto h = req.header("authorization");
  constexpr std::string_view prefix = "Bearer ";
  if (h.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), h.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      })) {
    return std::string(h.substr(prefix.size()));
  }
  return std::nullopt;
}

// Password rules are checked on the raw string: no trimming, length in bytes and characters.
std::optional<std::string> read_password(json::Fields& f, const bj::object& body, std::string_view name) {
  const auto* v = body.if_contains(name);
  if (v == nullptr) {
    f.error(std::string(name), "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    f.error(std::string(name), "must be a string");
    return std::nullopt;
  }
  std::string p(v->get_string());
  if (p.size() > max_password_bytes) {
    f.error(std::string(name), "must be at most 1024 bytes");
    return std::nullopt;
  }
  if (json::utf8_length(p) < min_password_chars) {
    f.error(std::string(name), "must be at least 8 characters");
    return std::nullopt;
  }
  return p;
}

}  // namespace

std::string new_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(out);
}

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

bool valid_email(std::string_view e) {
  if (e.size() < 3 || e.size() > 255) {
    return false;
  }
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto domain = e.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find('.') == std::string_view::npos) {
    return false;
  }
  for (unsigned char c : e) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == ':' || c == '\\' || c == '"' || c == '[' || c == ']') {
      return false;
    }
  }
  return true;
}

AuthService::AuthService(std::shared_ptr<db::Pool> pool, std::shared_ptr<PasswordHasher> hasher, Options options,
                         std::shared_ptr<bus::Bus> bus)
    : pool_(std::move(pool)),
      hasher_(std::move(hasher)),
      options_(std::move(options)),
      bus_(std::move(bus)),
      by_account_(options_.login_failures_per_account, options_.login_window),
      by_address_(options_.login_failures_per_address, options_.login_window) {}

std::string AuthService::cookie_header(const std::string& token, std::chrono::seconds max_age) const {
  std::string c = std::string(session_cookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                  std::to_string(max_age.count());
  if (options_.cookie_secure) {
    c += "; Secure";
  }
  return c;
}

void AuthService::check_csrf(const http::Request& req) const {
  if (req.method == http::Method::GET || req.method == http::Method::HEAD || req.method == http::Method::OPTIONS) {
    return;
  }
  const auto origin = req.header("origin");
  if (origin.empty()) {
    // No Origin (older clients, scripts using the cookie): a custom header proves same-origin JS.
    if (!req.header("x-requested-with").empty()) {
      return;
    }
    fail(problems::make(403, "csrf", "Cross-site request refused.",
                        "Send an Origin or X-Requested-With header with cookie-authenticated writes."));
  }
  for (const auto& allowed : options_.allowed_origins) {
    if (origin == allowed) {
      return;
    }
  }
  auto u = boost::urls::parse_uri(origin);
  if (u && u->has_authority() && u->encoded_host_and_port() == req.header("host")) {
    return;
  }
  fail(problems::make(403, "csrf", "Cross-site request refused.", "The request's Origin is not this site."));
}

awaitable<std::optional<Principal>> AuthService::authenticate_token(std::string_view token) {
  if (token.empty() || token.size() > 128) {
    co_return std::nullopt;
  }
  auto r = co_await pool_->query(sql::session_by_hash, token_hash(token));
  if (r.empty()) {
    co_return std::nullopt;
  }
  co_return Principal{std::string(r.get(0, "user_id")), std::string(r.get(0, "id")), false};
}

AuthService::PresentedToken AuthService::presented_token(const http::Request& req) const {
  PresentedToken t;
  if (auto bearer = bearer_token(req)) {
    t.token = std::move(*bearer);
  } else if (auto cookie = req.cookie(session_cookie)) {
    t.token = std::move(*cookie);
    t.via_cookie = true;
  } else {
    fail(problems::unauthorized());
  }
  if (t.via_cookie) {
    check_csrf(req);
  }
  return t;
}

awaitable<Principal> AuthService::require(const http::Request& req) {
  const auto presented = presented_token(req);
  const bool via_cookie = presented.via_cookie;
  auto p = co_await authenticate_token(presented.token);
  if (!p) {
    fail(problems::unauthorized("The session is invalid, expired or signed out."));
  }
  p->via_cookie = via_cookie;
  co_return *p;
}

awaitable<http::Response> AuthService::issue_session(const std::string& user_id, int status, bj::object user) {
  auto token = new_token();
  co_await pool_->query(sql::insert_session, user_id, token_hash(token),
                        static_cast<std::int64_t>(options_.session_ttl.count()));
  auto res = http::Response::json(bj::object{{"token", token}, {"user", std::move(user)}}, status);
  res.header("Set-Cookie", cookie_header(token, options_.session_ttl));
  res.header("Cache-Control", "no-store");
  co_return res;
}

awaitable<http::Response> AuthService::register_user(http::Request& req) {
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"email", "password", "name"});
  auto email = f.string("email", {.min = 1, .max = 255});
  if (email && !valid_email(*email)) {
    f.error("email", "is not a valid email address");
  }
  auto password = read_password(f, body, "password");
  auto name = f.string("name", {.min = 1, .max = 255});
  f.check();
  // Every attempt counts, taken or not: each one costs a hash.
  if (int wait = registrations_by_address_.retry_after(req.client_address); wait > 0) {
    fail(problems::too_many_requests(wait));
  }
  registrations_by_address_.record_failure(req.client_address);

  auto hash = co_await hasher_->hash(*password, HashUse::registration);
  db::Result r;
  try {
    r = co_await pool_->query(sql::insert_user, *email, hash, *name);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) {
      fail(problems::conflict("An account with this email already exists.", "email"));
    }
    throw;
  }
  co_return co_await issue_session(std::string(r.get(0, "id")), 201, user_json(r));
}

awaitable<http::Response> AuthService::login(http::Request& req) {
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"email", "password"});
  auto email = f.string("email", {.min = 1, .max = 255});
  auto password = f.string("password", {.min = 1, .max = max_password_bytes, .trim = false});
  f.check();
  std::string account_key = *email;
  std::transform(account_key.begin(), account_key.end(), account_key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const std::string& address_key = req.client_address;
  if (int wait = std::max(by_account_.retry_after(account_key), by_address_.retry_after(address_key)); wait > 0) {
    fail(problems::too_many_requests(wait));
  }

  // The connection goes back to the pool before hashing: argon2id takes far longer than a query,
  // and a storm of sign-ins must not starve every other request of connections.
  auto r = co_await pool_->query(sql::user_for_login, *email);
  bool ok = false;
  if (r.empty()) {
    // Same work and same answer as a wrong password, so accounts cannot be enumerated.
    co_await hasher_->verify_dummy(*password);
  } else {
    ok = co_await hasher_->verify(std::string(r.get(0, "password_hash")), *password);
  }
  if (!ok) {
    by_account_.record_failure(account_key);
    by_address_.record_failure(address_key);
    fail(problems::make(401, "invalid-credentials", "Wrong email or password."));
  }
  by_account_.reset(account_key);
  co_return co_await issue_session(std::string(r.get(0, "id")), 200, user_json(r));
}

awaitable<http::Response> AuthService::logout(http::Request& req) {
  auto p = co_await require(req);
  auto deleted = co_await pool_->query(sql::delete_session, p.session_id);
  co_await publish_revoked(deleted);
  auto res = http::Response::no_content();
  res.header("Set-Cookie", cookie_header("", std::chrono::seconds(0)));
  co_return res;
}

awaitable<http::Response> AuthService::logout_all(http::Request& req) {
  auto p = co_await require(req);
  auto deleted = co_await pool_->query(sql::delete_user_sessions, p.user_id);
  co_await publish_revoked(deleted);
  auto res = http::Response::no_content();
  res.header("Set-Cookie", cookie_header("", std::chrono::seconds(0)));
  co_return res;
}

awaitable<http::Response> AuthService::me(http::Request& req) {
  // The session and its user in one statement: the most frequent request of every client.
  const auto presented = presented_token(req);
  db::Result r;
  if (presented.token.size() <= 128) {
    r = co_await pool_->query(sql::user_by_session, token_hash(presented.token));
  }
  if (r.empty()) {
    fail(problems::unauthorized("The session is invalid, expired or signed out."));
  }
  co_return http::Response::json(user_json(r));
}

awaitable<http::Response> AuthService::update_me(http::Request& req) {
  auto p = co_await require(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "avatar_url"});
  auto name = f.string_patch("name", {.required = false, .min = 1, .max = 255});
  auto avatar = f.string_patch("avatar_url", {.required = false, .min = 1, .max = 512, .nullable = true});
  if (avatar.value) {
    auto u = boost::urls::parse_absolute_uri(*avatar.value);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || !u->has_authority() || u->host().empty()) {
      f.error("avatar_url", "must be an http or https URL");
    }
  }
  f.check();
  auto r = co_await pool_->query(sql::update_profile, p.user_id, name.present, name.value, avatar.present,
                                                       avatar.value);
  co_return http::Response::json(user_json(r));
}

awaitable<http::Response> AuthService::change_password(http::Request& req) {
  auto p = co_await require(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"current_password", "new_password"});
  auto current = f.string("current_password", {.min = 1, .max = max_password_bytes, .trim = false});
  auto next = read_password(f, body, "new_password");
  f.check();
  auto r = co_await pool_->query(sql::password_of, p.user_id);
  bool current_ok = false;
  if (!r.empty()) {
    current_ok = co_await hasher_->verify(std::string(r.get(0, "password_hash")), *current);
  }
  if (!current_ok) {
    fail(problems::field("current_password", "is not your current password"));
  }
  auto hash = co_await hasher_->hash(*next);
  auto tx = co_await pool_->begin();
  co_await tx.query(sql::update_password, p.user_id, hash);
  auto deleted = co_await tx.query(sql::delete_other_sessions, p.user_id, p.session_id);
  co_await tx.commit();
  co_await publish_revoked(deleted);
  co_return http::Response::no_content();
}

void AuthService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (AuthService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.post("/api/v1/auth/register", bind(&AuthService::register_user));
  router.post("/api/v1/auth/login", bind(&AuthService::login));
  router.post("/api/v1/auth/logout", bind(&AuthService::logout));
  router.post("/api/v1/auth/logout-all", bind(&AuthService::logout_all));
  router.get("/api/v1/me", bind(&AuthService::me));
  router.patch("/api/v1/me", bind(&AuthService::update_me));
  router.post("/api/v1/me/password", bind(&AuthService::change_password));
}

void AuthService::start_purger(executor ex, std::chrono::seconds period) {
  asio::co_spawn(
      ex,
      [pool = pool_, ex, period]() -> awaitable<void> {
        asio::steady_timer timer(ex);
        for (;;) {
          timer.expires_after(period);
          auto [ec] = co_await timer.async_wait(asio::as_tuple(use_awaitable));
          if (ec) {
            co_return;
          }
          try {
            auto r = co_await pool->query(sql::purge_expired);
            if (r.affected_rows() > 0) {
              spdlog::info("purged {} expired sessions", r.affected_rows());
            }
          } catch (const std::exception& e) {
            spdlog::warn("session purge failed: {}", e.what());
          }
        }
      },
      asio::detached);
}

}  // namespace collabdev::auth
