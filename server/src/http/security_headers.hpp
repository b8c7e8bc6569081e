#pragma once
// The headers every response carries, whatever produced it (API, problem, static file, 304, a
// refused WebSocket upgrade): the browser must not frame, sniff or leak from any of them.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace collabdev::http {

// The Content-Security-Policy for a request whose Host header is `host`: scripts, styles and
// fonts from this origin only; images also from data: and https: (avatars are external URLs);
// connections to this origin and its WebSocket (ws/wss on the same host); never in a frame.
std::string content_security_policy(std::string_view host);

// Every security header with its value, the CSP included, for a request with this Host header.
// The WebSocket gateway decorates its handshake responses with these too.
std::vector<std::pair<std::string, std::string>> security_headers(std::string_view host);

}  // namespace collabdev::http
