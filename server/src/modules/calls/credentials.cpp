#include "modules/calls/credentials.hpp"

#include <stdexcept>

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace collabdev::calls {

namespace bj = boost::json;

namespace {

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out, &len) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string hmac_sha1(std::string_view key, std::string_view data) { return hmac(EVP_sha1(), key, data); }
std::string hmac_sha256(std::string_view key, std::string_view data) { return hmac(EVP_sha256(), key, data); }

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  if (n < 0) {
    throw std::runtime_error("base64 encoding failed");
  }
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url(std::string_view bytes) {
  auto s = base64(bytes);
  while (!s.empty() && s.back() == '=') {
    s.pop_back();
  }
  for (auto& c : s) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return s;
}

TurnCredential turn_credential(std::string_view secret, std::string_view user, std::int64_t now,
                               std::chrono::seconds ttl) {
  TurnCredential c;
  c.expires_at = now + ttl.count();
  c.username = std::to_string(c.expires_at) + ":" + std::string(user);
  c.password = base64(hmac_sha1(secret, c.username));
  return c;
}

std::string livekit_token(const LiveKitGrant& grant, std::int64_t now, std::chrono::seconds ttl) {
  const bj::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  bj::object video;
  video["room"] = grant.room;
  video["roomJoin"] = true;
  video["canPublish"] = true;
  video["canSubscribe"] = true;
  video["canPublishData"] = true;
  bj::object claims;
  claims["iss"] = grant.api_key;
  claims["sub"] = grant.identity;
  claims["name"] = grant.name;
  claims["nbf"] = now;
  claims["exp"] = now + ttl.count();
  claims["video"] = std::move(video);
  auto signing_input = base64url(bj::serialize(header)) + "." + base64url(bj::serialize(claims));
  return signing_input + "." + base64url(hmac_sha256(grant.api_secret, signing_input));
}

}  // namespace collabdev::calls
