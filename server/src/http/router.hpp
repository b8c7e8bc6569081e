#pragma once
// Routes by method and path pattern; `{name}` segments become path parameters.
#include <string>
#include <vector>

#include "http/request.hpp"

namespace collabdev::http {

class Router {
 public:
  void add(Method method, std::string pattern, Handler handler);
  void get(std::string p, Handler h) { add(Method::GET, std::move(p), std::move(h)); }
  void post(std::string p, Handler h) { add(Method::POST, std::move(p), std::move(h)); }
  void put(std::string p, Handler h) { add(Method::PUT, std::move(p), std::move(h)); }
  void patch(std::string p, Handler h) { add(Method::PATCH, std::move(p), std::move(h)); }
  void del(std::string p, Handler h) { add(Method::DELETE_, std::move(p), std::move(h)); }

  enum class Outcome { found, wrong_method, not_found };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const Handler* handler = nullptr;
    const std::string* pattern = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<Method> allowed;  // on wrong_method
  };
  Match match(Method method, std::string_view path) const;

  struct RouteInfo {
    Method method;
    std::string pattern;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" for parameters
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace collabdev::http
