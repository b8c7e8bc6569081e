#include "modules/tasks/request_parts.hpp"

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "modules/tasks/list_options.hpp"

namespace collabdev::tasks {

namespace bj = boost::json;

std::string column_id_of(const http::Request& req) {
  return ids::canonical_or_404(req.param("columnId"), "No such column.");
}

std::string task_id_of(const http::Request& req) { return ids::canonical_or_404(req.param("taskId"), "No such task."); }

http::Response json_text(std::string body, int status) {
  return http::Response::text(std::move(body), "application/json", status);
}

http::Response task_response(const db::Result& r, int status) {
  auto res = json_text(std::string(r.get(0, "task")), status);
  res.header("ETag", "\"" + std::to_string(r.get_int(0, "version")) + "\"");
  return res;
}

std::string page_json(std::string_view items_array) {
  return "{\"items\":" + std::string(items_array) + ",\"next_cursor\":null}";
}

std::optional<std::int64_t> expected_version(const http::Request& req, json::Fields* fields) {
  std::optional<std::int64_t> from_header;
  if (auto h = req.header("if-match"); !h.empty()) {
    auto m = parse_if_match(h);
    if (!m.valid) {
      fail(problems::bad_request("If-Match must name one version, as \"3\"", "If-Match"));
    }
    from_header = m.version;
  }
  std::optional<std::int64_t> from_body;
  if (fields != nullptr && fields->has("version")) {
    from_body = fields->integer("version", 1, max_version, false);
  }
  if (from_header && from_body && *from_header != *from_body) {
    fields->error("version", "differs from the version in If-Match");
  }
  return from_header ? from_header : from_body;
}

void check_version(std::optional<std::int64_t> expected, const db::Result& current) {
  if (expected && *expected != current.get_int(0, "version")) {
    fail(problems::precondition_failed(bj::parse(current.get(0, "task"))));
  }
}

void forbid_null(json::Fields& f, const bj::object& body, std::string_view name) {
  if (auto* v = body.if_contains(name); v != nullptr && v->is_null()) {
    f.error(std::string(name), "must not be null");
  }
}

}  // namespace collabdev::tasks
