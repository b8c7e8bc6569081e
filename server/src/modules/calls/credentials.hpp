#pragma once
// Credentials a call participant is handed, pure functions of their inputs (tested against
// known vectors): TURN credentials in coturn's `use-auth-secret` scheme (the TURN REST API
// draft: username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username))) and LiveKit
// access tokens (a JWT signed HS256 with the API secret, its video grant naming the room).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace collabdev::calls {

struct TurnCredential {
  std::string username;
  std::string password;
  std::int64_t expires_at;  // Unix seconds
};

// `now` and the result's expiry are Unix seconds.
TurnCredential turn_credential(std::string_view secret, std::string_view user, std::int64_t now,
                               std::chrono::seconds ttl);

struct LiveKitGrant {
  std::string api_key;
  std::string api_secret;
  std::string identity;  // the user id
  std::string name;      // shown to the others
  std::string room;      // the call id
};

// A LiveKit access token valid from `now` for `ttl`.
std::string livekit_token(const LiveKitGrant& grant, std::int64_t now, std::chrono::seconds ttl);

// Encodings used above, exposed for the tests.
std::string base64(std::string_view bytes);
std::string base64url(std::string_view bytes);  // without padding, as JWTs use
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace collabdev::calls
