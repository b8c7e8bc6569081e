// TURN credentials and LiveKit tokens against known vectors: the HMACs of RFC 2202 and RFC 4231,
// and credentials computed independently (Python's hmac, hashlib and base64) for fixed inputs.
#include <gtest/gtest.h>

#include "modules/calls/credentials.hpp"

namespace collabdev::calls {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST(Credentials, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(hex(hmac_sha1("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(Credentials, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Credentials, Base64AndBase64Url) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url(std::string("\xfb\xff", 2)), "-_8");
}

TEST(Credentials, TurnCredentialInCoturnsSharedSecretScheme) {
  auto c = turn_credential("north-stun-secret-0123456789", "6b0f1c2e-1111-4222-8333-944455556666", 1700000000,
                           std::chrono::seconds(3600));
  EXPECT_EQ(c.expires_at, 1700003600);
  EXPECT_EQ(c.username, "1700003600:6b0f1c2e-1111-4222-8333-944455556666");
  EXPECT_EQ(c.password, "GpgWAxQzhnqf1Yh1lEiWqGCo47M=");
}

TEST(Credentials, LiveKitTokenIsAnHs256JwtWithTheVideoGrant) {
  LiveKitGrant g{"APIkey1", "livekit-secret-0123456789abcdef0123456789", "6b0f1c2e-1111-4222-8333-944455556666", "Ada",
                 "0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e"};
  EXPECT_EQ(livekit_token(g, 1700000000, std::chrono::seconds(3600)),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpc3MiOiJBUElrZXkxIiwic3ViIjoiNmIwZjFjMmUtMTExMS00MjIyLTgzMzMtOTQ0NDU1NTU2NjY2IiwibmFtZSI6IkFkYSIsIm5iZiI6"
            "MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJ2aWRlbyI6eyJyb29tIjoiMGExYjJjM2QtNGU1Zi00MDYxLTg3MjgtMzk0YTViNmM3ZDhl"
            "Iiwicm9vbUpvaW4iOnRydWUsImNhblB1Ymxpc2giOnRydWUsImNhblN1YnNjcmliZSI6dHJ1ZSwiY2FuUHVibGlzaERhdGEiOnRydWV9fQ."
            "1hE9NFDVZRqWw7I8RLtoXfFmr8TCqZD9B7jx8WHqqjw");
}

}  // namespace
}  // namespace collabdev::calls
