// The Query API client: the one translation unit of the graph module that includes Beast.
#include "graph/neo4j_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace collabdev::graph {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace bj = boost::json;

namespace {

constexpr std::size_t max_response = 64 * 1024 * 1024;

std::string base64(std::string_view s) {
  std::string out(beast::detail::base64::encoded_size(s.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), s.data(), s.size()));
  return out;
}

class BeastNeo4jClient final : public Neo4jClient {
 public:
  BeastNeo4jClient(executor ex, Neo4jOptions options, std::string host, std::string port)
      : executor_(std::move(ex)), options_(std::move(options)), host_(std::move(host)), port_(std::move(port)) {
    target_ = "/db/" + options_.database + "/query/v2";
    if (!options_.user.empty()) {
      authorization_ = "Basic " + base64(options_.user + ":" + options_.password);
    }
  }

  awaitable<QueryResult> run(std::string cypher, bj::object parameters) override {
    using asio::as_tuple;
    beast::tcp_stream stream(executor_);
    stream.expires_after(options_.timeout);
    asio::ip::tcp::resolver resolver(executor_);
    auto [rec, endpoints] = co_await resolver.async_resolve(host_, port_, as_tuple(use_awaitable));
    if (rec) {
      throw Neo4jError("neo4j: cannot resolve " + host_ + ": " + rec.message(), true);
    }
    auto [cec, ep] = co_await stream.async_connect(endpoints, as_tuple(use_awaitable));
    if (cec) {
      throw Neo4jError("neo4j: cannot connect to " + host_ + ":" + port_ + ": " + cec.message(), true);
    }
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target_, 11};
    req.set(bhttp::field::host, host_ + ":" + port_);
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::accept, "application/json");
    req.set(bhttp::field::connection, "close");
    if (!authorization_.empty()) {
      req.set(bhttp::field::authorization, authorization_);
    }
    req.body() = bj::serialize(bj::object{{"statement", std::move(cypher)}, {"parameters", std::move(parameters)}});
    req.prepare_payload();
    auto [wec, wn] = co_await bhttp::async_write(stream, req, as_tuple(use_awaitable));
    if (wec) {
      throw Neo4jError("neo4j: request not sent: " + wec.message(), true);
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response);
    auto [rdec, rn] = co_await bhttp::async_read(stream, buffer, parser, as_tuple(use_awaitable));
    if (rdec) {
      throw Neo4jError("neo4j: no answer: " + rdec.message(), true);
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    auto res = parser.release();
    boost::system::error_code pec;
    auto body = bj::parse(res.body(), pec);
    const int status = static_cast<int>(res.result_int());
    if (pec || !body.is_object()) {
      throw Neo4jError("neo4j: HTTP " + std::to_string(status) + " without a JSON answer", status >= 500);
    }
    const auto& o = body.as_object();
    if (const auto* errors = o.if_contains("errors"); errors != nullptr && errors->is_array() &&
                                                     !errors->as_array().empty()) {
      throw Neo4jError("neo4j: " + bj::serialize(errors->as_array().at(0)), status >= 500);
    }
    if (status / 100 != 2) {
      throw Neo4jError("neo4j: HTTP " + std::to_string(status), status >= 500 || status == 401);
    }
    QueryResult result;
    if (const auto* data = o.if_contains("data"); data != nullptr && data->is_object()) {
      if (const auto* f = data->as_object().if_contains("fields"); f != nullptr && f->is_array()) {
        result.fields = f->as_array();
      }
      if (const auto* v = data->as_object().if_contains("values"); v != nullptr && v->is_array()) {
        result.values = v->as_array();
      }
    }
    co_return result;
  }

 private:
  executor executor_;
  Neo4jOptions options_;
  std::string host_;
  std::string port_;
  std::string target_;
  std::string authorization_;
};

}  // namespace

std::shared_ptr<Neo4jClient> make_neo4j_client(executor ex, Neo4jOptions options) {
  auto parsed = boost::urls::parse_absolute_uri(options.url);
  if (!parsed) {
    throw std::invalid_argument("not a URL");
  }
  const auto& u = *parsed;
  if (u.scheme() != "http") {
    throw std::invalid_argument("only http:// URLs are supported");
  }
  if (u.host().empty() || (!u.path().empty() && u.path() != "/") || u.has_query() || u.has_userinfo()) {
    throw std::invalid_argument("must be http://host[:port] (credentials go in NEO4J_USER and NEO4J_PASSWORD)");
  }
  std::string host = u.host();
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port = u.has_port() ? std::string(u.port()) : "7474";
  return std::make_shared<BeastNeo4jClient>(std::move(ex), std::move(options), std::move(host), std::move(port));
}

}  // namespace collabdev::graph
