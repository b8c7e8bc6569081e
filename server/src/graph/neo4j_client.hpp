#pragma once
// A client of Neo4j's HTTP Query API (POST <url>/db/<database>/query/v2): one Cypher statement
// with parameters per request, run in its own transaction. Beast stays in neo4j_client.cpp.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/asio.hpp"

namespace collabdev::graph {

struct Neo4jOptions {
  std::string url;  // http://host:port (https is not supported: run Neo4j beside the server)
  std::string user;      // empty: no authentication
  std::string password;
  std::string database = "neo4j";
  std::chrono::milliseconds timeout{10000};  // one request, connect to last byte
};

// Neo4j could not be reached, answered with an error, or took longer than the timeout.
class Neo4jError : public std::runtime_error {
 public:
  Neo4jError(std::string message, bool unreachable)
      : std::runtime_error(std::move(message)), unreachable_(unreachable) {}
  bool unreachable() const { return unreachable_; }

 private:
  bool unreachable_;
};

struct QueryResult {
  boost::json::array fields;  // column names
  boost::json::array values;  // rows, each an array in the order of fields
};

class Neo4jClient {
 public:
  virtual ~Neo4jClient() = default;
  virtual awaitable<QueryResult> run(std::string cypher, boost::json::object parameters) = 0;
};

// Throws std::invalid_argument when the URL is not http://host[:port][/].
std::shared_ptr<Neo4jClient> make_neo4j_client(executor ex, Neo4jOptions options);

}  // namespace collabdev::graph
