#pragma once
// One WebSocket connection: the handshake, the bounded send queue and its writer, the frame,
// rate and authentication-time limits, and its lifetime. Beast's websocket is used only in
// connection.cpp.
#include <memory>

#include "http/server.hpp"

namespace collabdev::realtime {

struct Node;

// Takes over an upgraded HTTP connection: refuses it (HTTP 503) over a connection cap, else
// runs it until it closes. The connection is unregistered however it ends.
void serve_connection(std::shared_ptr<Node> node, boost::beast::tcp_stream stream, http::BeastRequest req,
                      http::Request info);

}  // namespace collabdev::realtime
