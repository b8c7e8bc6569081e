// GET .../tasks: the board's tasks filtered (column, assignee, status, priority, due dates, text),
// in one of several total orders, paged with keyset cursors.
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "modules/tasks/list_options.hpp"
#include "modules/tasks/queries.hpp"
#include "modules/tasks/request_parts.hpp"
#include "modules/tasks/tasks.hpp"

namespace collabdev::tasks {

using projects::Action;

namespace {

constexpr std::int64_t default_page = 50;
constexpr std::int64_t max_page = 200;
constexpr std::size_t max_query_text = 200;

// Collects bad query parameters so that one 400 names all of them.
class QueryErrors {
 public:
  void add(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }
  void check() const {
    if (errors_.empty()) {
      return;
    }
    auto p = problems::bad_request(errors_.front().field + ": " + errors_.front().message);
    p.errors = errors_;
    fail(std::move(p));
  }

 private:
  std::vector<FieldError> errors_;
};

// `A,B` from a closed set, as a PostgreSQL text[] literal; empty on error (already recorded).
std::optional<std::string> enum_list(const std::string& value, std::string_view name,
                                     std::initializer_list<std::string_view> allowed, QueryErrors& errors) {
  std::string literal = "{";
  std::string_view rest = value;
  bool first = true;
  for (;;) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string list;
      for (auto a : allowed) {
        list += list.empty() ? "" : ", ";
        list += a;
      }
      errors.add(std::string(name), "must be one or more of " + list + ", separated by commas");
      return std::nullopt;
    }
    literal += first ? "" : ",";
    literal += item;
    first = false;
    if (comma == std::string_view::npos) {
      break;
    }
    rest = rest.substr(comma + 1);
  }
  return literal + "}";
}

const db::Statement& list_statement(Sort sort) {
  switch (sort) {
    case Sort::position:
      return sql::list_by_position;
    case Sort::created_at:
      return sql::list_by_created;
    case Sort::created_at_desc:
      return sql::list_by_created_desc;
    case Sort::updated_at:
      return sql::list_by_updated;
    case Sort::updated_at_desc:
      return sql::list_by_updated_desc;
    case Sort::due_date:
      return sql::list_by_due;
    case Sort::due_date_desc:
      return sql::list_by_due_desc;
    case Sort::priority:
      return sql::list_by_priority;
    case Sort::priority_desc:
      return sql::list_by_priority_desc;
  }
  return sql::list_by_position;
}

}  // namespace

awaitable<http::Response> TasksService::list_tasks(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto& project_id = scope.project_id;

  QueryErrors errors;
  static constexpr std::string_view known[] = {"column_id", "assignee_id", "status", "priority", "due_before",
                                               "due_after", "q",           "sort",   "cursor",   "limit"};
  std::string_view rest = req.query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto key = pair.substr(0, pair.find('='));
    if (!key.empty() && std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      errors.add(std::string(key.substr(0, 64)), "is not a known query parameter");
    }
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  auto param = [&](std::string_view name) -> std::optional<std::string> {
    auto v = req.query_param(name);
    return v && !v->empty() ? v : std::nullopt;
  };
  std::optional<std::string> column_id;
  if (auto v = param("column_id")) {
    column_id = ids::canonical(*v);
    if (!column_id) {
      errors.add("column_id", "must be a UUID");
    }
  }
  std::optional<std::string> assignee_id;
  bool unassigned = false;
  if (auto v = param("assignee_id")) {
    if (*v == "none") {
      unassigned = true;
    } else if (assignee_id = ids::canonical(*v); !assignee_id) {
      errors.add("assignee_id", "must be a UUID, or none for unassigned tasks");
    }
  }
  std::optional<std::string> statuses;
  if (auto v = param("status")) {
    statuses = enum_list(*v, "status", task_statuses, errors);
  }
  std::optional<std::string> priorities;
  if (auto v = param("priority")) {
    priorities = enum_list(*v, "priority", task_priorities, errors);
  }
  std::optional<std::string> due_before;
  if (auto v = param("due_before")) {
    json::is_iso_date(*v) ? void(due_before = *v) : errors.add("due_before", "must be a date as YYYY-MM-DD");
  }
  std::optional<std::string> due_after;
  if (auto v = param("due_after")) {
    json::is_iso_date(*v) ? void(due_after = *v) : errors.add("due_after", "must be a date as YYYY-MM-DD");
  }
  std::optional<std::string> text;
  if (auto v = param("q")) {
    if (json::utf8_length(*v) > max_query_text) {
      errors.add("q", "must be at most " + std::to_string(max_query_text) + " characters");
    } else if (v->find('\0') != std::string::npos) {
      errors.add("q", "must not contain NUL characters");
    } else {
      text = *v;
    }
  }
  Sort sort = Sort::position;
  if (auto v = param("sort")) {
    if (auto s = parse_sort(*v)) {
      sort = *s;
    } else {
      errors.add("sort", "must be one of " + std::string(sort_names()));
    }
  }
  std::int64_t limit = default_page;
  if (auto v = param("limit")) {
    auto r = std::from_chars(v->data(), v->data() + v->size(), limit);
    if (r.ec != std::errc{} || r.ptr != v->data() + v->size() || limit < 1 || limit > max_page) {
      errors.add("limit", "must be a whole number from 1 to " + std::to_string(max_page));
    }
  }
  std::optional<Cursor> cursor;
  if (auto v = param("cursor")) {
    cursor = decode_cursor(*v, sort);
    if (!cursor) {
      errors.add("cursor", "is not one this server gave out for this sort order");
    }
  }
  errors.check();

  std::optional<std::string> k1;
  std::optional<std::string> k2;
  std::optional<std::string> after_id;
  if (cursor) {
    k1 = cursor->k1;
    k2 = cursor->k2;
    after_id = cursor->id;
  }
  db::Result r;
  try {
    r = co_await pool_->query(list_statement(sort), project_id, column_id, assignee_id, unassigned, statuses,
                              priorities, due_before, due_after, text, k1, k2, after_id, limit + 1);
  } catch (const db::Error& e) {
    // A cursor's keys are checked for shape; one that still does not convert is not ours.
    if (cursor && e.sqlstate().starts_with("22")) {
      fail(problems::bad_request("cursor is not one this server gave out", "cursor"));
    }
    throw;
  }
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  std::string body = "{\"items\":[";
  for (int i = 0; i < n; ++i) {
    body += i == 0 ? "" : ",";
    body += r.get(i, "task");
  }
  body += "],\"next_cursor\":";
  if (r.rows() > limit) {
    body += "\"" +
            encode_cursor({sort, std::string(r.get(n - 1, "k1")), std::string(r.get(n - 1, "k2")),
                           std::string(r.get(n - 1, "id"))}) +
            "\"";
  } else {
    body += "null";
  }
  body += "}";
  co_return json_text(std::move(body));
}

}  // namespace collabdev::tasks
