#pragma once
// One error type for every client-facing failure, rendered as RFC 9457 application/problem+json.
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace collabdev {

struct FieldError {
  std::string field;
  std::string message;
};

struct Problem {
  int status = 500;
  std::string type;  // stable slug, rendered as urn:collabdev:problem:<slug>
  std::string title;
  std::string detail;
  std::vector<FieldError> errors;
  std::optional<boost::json::value> current;  // e.g. the current resource on 412
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After

  std::string to_json(std::string_view instance = {}) const;
};

// Thrown by handlers and services; caught once at the top of the request handler.
class ProblemError : public std::exception {
 public:
  explicit ProblemError(Problem p) : problem_(std::move(p)) {}
  const Problem& problem() const { return problem_; }
  const char* what() const noexcept override { return problem_.title.c_str(); }

 private:
  Problem problem_;
};

namespace problems {
Problem make(int status, std::string type, std::string title, std::string detail = {});
Problem invalid_json(std::string detail);
Problem validation(std::vector<FieldError> errors);
Problem field(std::string field, std::string message);  // 422 with one field
Problem bad_request(std::string detail, std::string field = {});
Problem unauthorized(std::string detail = "Authentication is required.");
Problem forbidden(std::string detail = "You may not do this.");
Problem not_found(std::string detail = "Not found.");
Problem method_not_allowed();
Problem conflict(std::string detail, std::string field = {});
Problem precondition_failed(boost::json::value current);
Problem payload_too_large(std::size_t limit);
Problem unsupported_media_type();
Problem too_many_requests(int retry_after_seconds);
Problem unavailable(std::string detail);
Problem internal();
}  // namespace problems

[[noreturn]] inline void fail(Problem p) { throw ProblemError(std::move(p)); }

}  // namespace collabdev
