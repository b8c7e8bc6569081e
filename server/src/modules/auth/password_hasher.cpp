#include "modules/auth/password_hasher.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <sodium.h>

#include "core/problem.hpp"

namespace collabdev::auth {

namespace {
// OWASP's argon2id baseline (19 MiB, 2 passes): strong, and cheap enough for a small server.
constexpr unsigned long long ops_limit = 2;
constexpr std::size_t mem_limit = 19 * 1024 * 1024;

std::string hash_now(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), ops_limit, mem_limit) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return std::string(out);
}
}  // namespace

PasswordHasher::PasswordHasher(unsigned threads, std::size_t max_pending)
    : pool_(std::make_unique<asio::thread_pool>(threads)),
      max_pending_(max_pending),
      max_registrations_(std::max<std::size_t>(1, max_pending / 4)) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  dummy_hash_ = hash_now("collabdev-dummy-password-for-timing");
}

PasswordHasher::~PasswordHasher() {
  pool_->join();
}

PasswordHasher::Slot PasswordHasher::enter(HashUse use) {
  std::atomic<std::size_t>* share = nullptr;
  if (use == HashUse::registration) {
    if (registrations_.fetch_add(1) >= max_registrations_) {
      registrations_.fetch_sub(1);
      fail(problems::unavailable("Too many registrations at once; try again in a moment."));
    }
    share = &registrations_;
  }
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    if (share != nullptr) {
      share->fetch_sub(1);
    }
    fail(problems::unavailable("Too many sign-ins at once; try again in a moment."));
  }
  return Slot(&pending_, share);
}

// Each hop runs the work on the hashing pool and comes back to the caller's executor. Written
// without lambdas: g++ 12 destroys lambda captures moved into coroutine frames twice.
awaitable<std::string> PasswordHasher::hash(std::string password, HashUse use) {
  auto slot = enter(use);
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(pool_->get_executor(), use_awaitable);
  std::string out;
  std::exception_ptr error;
  try {
    out = hash_now(password);
  } catch (const std::exception&) {
    error = std::current_exception();
  }
  co_await asio::post(home, use_awaitable);
  if (error) {
    std::rethrow_exception(error);
  }
  co_return out;
}

awaitable<bool> PasswordHasher::verify(std::string hash, std::string password) {
  auto slot = enter(HashUse::sign_in);
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(pool_->get_executor(), use_awaitable);
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  co_await asio::post(home, use_awaitable);
  co_return ok;
}

awaitable<void> PasswordHasher::verify_dummy(std::string password) {
  co_await verify(dummy_hash_, std::move(password));
}

}  // namespace collabdev::auth
