#include "core/problem.hpp"

#include <boost/json.hpp>

namespace collabdev {

std::string Problem::to_json(std::string_view instance) const {
  boost::json::object o;
  o["type"] = "urn:collabdev:problem:" + type;
  o["title"] = title;
  o["status"] = status;
  if (!detail.empty()) {
    o["detail"] = detail;
  }
  if (!instance.empty()) {
    o["instance"] = instance;
  }
  if (!errors.empty()) {
    boost::json::array arr;
    for (const auto& e : errors) {
      arr.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    }
    o["errors"] = std::move(arr);
  }
  if (current) {
    o["current"] = *current;
  }
  return boost::json::serialize(o);
}

namespace problems {

Problem make(int status, std::string type, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.type = std::move(type);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

Problem invalid_json(std::string detail) {
  return make(400, "invalid-json", "The request body is not valid JSON.", std::move(detail));
}

Problem validation(std::vector<FieldError> errors) {
  auto p = make(422, "validation", "The request has invalid fields.");
  if (!errors.empty()) {
    p.detail = errors.front().field + ": " + errors.front().message;
  }
  p.errors = std::move(errors);
  return p;
}

Problem field(std::string field, std::string message) {
  return validation({FieldError{std::move(field), std::move(message)}});
}

Problem bad_request(std::string detail, std::string field) {
  auto p = make(400, "bad-request", "The request is malformed.", std::move(detail));
  if (!field.empty()) {
    p.errors.push_back({std::move(field), p.detail});
  }
  return p;
}

Problem unauthorized(std::string detail) {
  return make(401, "unauthorized", "Authentication required.", std::move(detail));
}

Problem forbidden(std::string detail) { return make(403, "forbidden", "Forbidden.", std::move(detail)); }

Problem not_found(std::string detail) { return make(404, "not-found", "Not found.", std::move(detail)); }

Problem method_not_allowed() {
  return make(405, "method-not-allowed", "Method not allowed.", "This resource does not support the method.");
}

Problem conflict(std::string detail, std::string field) {
  auto p = make(409, "conflict", "Conflict.", std::move(detail));
  if (!field.empty()) {
    p.errors.push_back({std::move(field), p.detail});
  }
  return p;
}

Problem precondition_failed(boost::json::value current) {
  auto p = make(412, "stale-version", "The resource was changed by someone else.",
                "Re-read the resource and apply your change to the current version.");
  p.current = std::move(current);
  return p;
}

Problem payload_too_large(std::size_t limit) {
  return make(413, "payload-too-large", "The request body is too large.",
              "The body exceeds the limit of " + std::to_string(limit) + " bytes.");
}

Problem unsupported_media_type() {
  return make(415, "unsupported-media-type", "Unsupported media type.", "Send the body as application/json.");
}

Problem too_many_requests(int retry_after_seconds) {
  auto p = make(429, "rate-limited", "Too many requests.", "Try again later.");
  p.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return p;
}

Problem unavailable(std::string detail) {
  auto p = make(503, "unavailable", "Service unavailable.", std::move(detail));
  p.headers.emplace_back("Retry-After", "1");
  return p;
}

Problem internal() {
  return make(500, "internal", "Internal server error.", "The error was logged with the request id.");
}

}  // namespace problems
}  // namespace collabdev
