#include "http/router.hpp"

namespace collabdev::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') {
      ++i;
    }
    if (i >= path.size()) {
      break;
    }
    const auto j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    i = (j == std::string_view::npos) ? path.size() : j;
  }
  return out;
}
}  // namespace

void Router::add(Method method, std::string pattern, Handler handler) {
  Route r{method, pattern, {}, std::move(handler)};
  for (auto s : split_path(pattern)) {
    r.segments.emplace_back(s);
  }
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  const auto parts = split_path(path);
  const Method effective = method == Method::HEAD ? Method::GET : method;
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) {
      continue;
    }
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = r.segments[i];
      const bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
      ok = is_param || seg == parts[i];
    }
    if (!ok) {
      continue;
    }
    if (r.method != effective) {
      m.outcome = Outcome::wrong_method;
      m.allowed.push_back(r.method);
      continue;
    }
    m.outcome = Outcome::found;
    m.handler = &r.handler;
    m.pattern = &r.pattern;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = r.segments[i];
      if (seg.front() == '{') {
        m.params.emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[i]));
      }
    }
    m.allowed.clear();
    return m;
  }
  return m;
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) {
    out.push_back({r.method, r.pattern});
  }
  return out;
}

}  // namespace collabdev::http
