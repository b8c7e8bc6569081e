#include "http/security_headers.hpp"

#include <cctype>

namespace collabdev::http {

namespace {

// host[:port] of a name, an IPv4 address or a bracketed IPv6 address; anything else is left out
// of the policy rather than copied into a header.
bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) {
    return false;
  }
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string content_security_policy(std::string_view host) {
  std::string connect = "'self'";
  if (plain_host(host)) {
    // Older browsers do not let 'self' match ws: and wss: URLs of the same host.
    connect += " ws://" + std::string(host) + " wss://" + std::string(host);
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
         "font-src 'self' data:; connect-src " +
         connect +
         "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}

std::vector<std::pair<std::string, std::string>> security_headers(std::string_view host) {
  return {
      {"Content-Security-Policy", content_security_policy(host)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  };
}

}  // namespace collabdev::http
