// Tasks: create (placed at the end of a column), read, update, move between and within columns
// (placed at an index, with positions kept sparse), delete; writes take If-Match versions.
#include <algorithm>
#include <string>

#include <boost/json.hpp>

#include "modules/links/hooks.hpp"
#include "modules/tasks/position.hpp"
#include "modules/tasks/queries.hpp"
#include "modules/tasks/request_parts.hpp"
#include "modules/tasks/tasks.hpp"

namespace collabdev::tasks {

namespace bj = boost::json;
using projects::Action;

namespace {

constexpr std::size_t max_title = 255;
constexpr std::size_t max_description = 100000;
constexpr std::int64_t max_index = 1000000;  // larger indexes mean "the end" anyway
constexpr std::size_t max_client_request_id = 64;
// Stands for "no task" where a statement excludes the task being placed.
constexpr std::string_view no_task = "00000000-0000-0000-0000-000000000000";

std::optional<std::int64_t> optional_int(const db::Result& r, int row, std::string_view col) {
  if (r.is_null(row, r.column(col))) {
    return std::nullopt;
  }
  return r.get_int(row, col);
}

// The id a client gave the task it shows before the answer comes, echoed in the answer and the
// task.created event so that it can tell its own task from others'. Safe to write into JSON
// unescaped: letters, digits, '_' and '-' only.
std::optional<std::string> client_request_id(const bj::object& body) {
  const auto* v = body.if_contains("client_request_id");
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  const auto ok = [](std::string_view s) {
    return !s.empty() && s.size() <= max_client_request_id && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
  };
  if (!v->is_string() || !ok(v->get_string())) {
    fail(problems::bad_request("client_request_id must be 1 to 64 letters, digits, '_' or '-'", "client_request_id"));
  }
  return std::string(v->get_string());
}

// The task, locked for this write: 404 when it is not in the project, 412 when the client saw
// another version.
awaitable<db::Result> locked_task(db::Transaction& tx, const std::string& task_id, const std::string& project_id,
                                  std::optional<std::int64_t> expected) {
  auto current = co_await tx.query(sql::lock_task, task_id, project_id);
  if (current.empty()) {
    fail(problems::not_found("No such task."));
  }
  check_version(expected, current);
  co_return current;
}

}  // namespace

awaitable<TasksService::Placement> TasksService::place(db::Transaction& tx, const std::string& column_id,
                                                       const std::string& task_id, std::optional<std::int64_t> index,
                                                       std::optional<std::int64_t> current) {
  std::optional<std::int64_t> prev;
  std::optional<std::int64_t> next;
  std::int64_t at = 0;
  bool to_end = !index;
  if (index) {
    const std::int64_t offset = std::max<std::int64_t>(*index - 1, 0);
    auto r = co_await tx.query(sql::neighbours, column_id, task_id, offset);
    if (*index == 0) {
      next = r.empty() ? std::nullopt : std::optional(r.get_int(0, "position"));
    } else if (r.empty()) {
      to_end = true;  // past the end: the index is clamped to the end
    } else {
      at = *index;
      prev = r.get_int(0, "position");
      next = r.rows() > 1 ? std::optional(r.get_int(1, "position")) : std::nullopt;
    }
  }
  if (to_end) {
    auto r = co_await tx.query(sql::column_end, column_id, task_id);
    prev = optional_int(r, 0, "last");
    at = r.get_int(0, "n");
  }
  // A task dropped where it already is keeps its position (and the column is not renumbered).
  if (current && (!prev || *prev < *current) && (!next || *current < *next)) {
    co_return Placement{*current, false, at};
  }
  if (auto p = position_between(prev, next)) {
    co_return Placement{*p, false, at};
  }
  co_await tx.query(sql::renumber_column, column_id, task_id, at);
  co_return Placement{renumbered_position(at), true, at};
}

awaitable<http::Response> TasksService::create_task(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_tasks);
  const auto& project_id = scope.project_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"title", "description", "column_id", "assignee_id", "due_date", "priority", "client_request_id"});
  const auto request_id = client_request_id(body);
  auto title = f.string("title", {.min = 1, .max = max_title});
  auto description =
      f.string_patch("description", {.required = false, .max = max_description, .trim = false, .nullable = true});
  auto column_id = f.uuid("column_id", false);
  auto assignee = f.uuid_patch("assignee_id");
  auto due_date = f.date_patch("due_date");
  auto priority = f.one_of_patch("priority", task_priorities);
  f.check();

  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::edit_tasks);
  std::string column;
  std::string status;
  if (column_id) {
    auto c = co_await tx.query(sql::get_column, *column_id, project_id);
    if (c.empty()) {
      fail(problems::field("column_id", "is not a column of this project"));
    }
    column = *column_id;
    status = c.get(0, "status");
  } else {
    auto c = co_await tx.query(sql::first_column, project_id);
    if (c.empty()) {
      fail(problems::field("column_id", "is required: the board has no columns yet"));
    }
    column = c.get(0, "id");
    status = c.get(0, "status");
  }
  // Checked after the board lock, which membership changes also take: a member removed at the
  // same moment is either gone here (422) or removed afterwards (and the task unassigned then).
  if (assignee.value && (co_await tx.query(sql::is_member, project_id, *assignee.value)).empty()) {
    fail(problems::field("assignee_id", "is not a member of this project"));
  }
  auto at = co_await place(tx, column, std::string(no_task), std::nullopt, std::nullopt);
  auto r = co_await tx.query(sql::insert_task, project_id, column, *title, description.value, status, assignee.value,
                             due_date.value, priority.value, scope.user_id, at.position);
  const std::string echo = request_id ? ",\"client_request_id\":\"" + *request_id + "\"" : std::string();
  co_await commit_board_write(tx, scope, "task.created", seq, r.get(0, "task"), echo);
  auto res = task_response(r, 201);
  if (request_id) {
    auto task = std::string(r.get(0, "task"));
    task.insert(task.rfind('}'), echo);
    res.body = std::move(task);
  }
  res.header("Location", "/api/v1/projects/" + project_id + "/tasks/" + std::string(r.get(0, "id")));
  co_return res;
}

awaitable<http::Response> TasksService::get_task(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto& project_id = scope.project_id;
  const auto task_id = task_id_of(req);
  auto r = co_await pool_->query(sql::get_task, task_id, project_id);
  if (r.empty()) {
    fail(problems::not_found("No such task."));
  }
  co_return task_response(r);
}

awaitable<http::Response> TasksService::update_task(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_tasks);
  const auto& project_id = scope.project_id;
  const auto task_id = task_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  for (std::string_view derived : {"column_id", "position", "status"}) {
    if (f.has(derived)) {
      f.error(std::string(derived), "is changed by moving the task (POST .../move)");
    }
  }
  f.only({"title", "description", "assignee_id", "due_date", "priority", "version", "column_id", "position",
          "status"});
  auto title = f.string_patch("title", {.required = false, .min = 1, .max = max_title});
  auto description =
      f.string_patch("description", {.required = false, .max = max_description, .trim = false, .nullable = true});
  auto assignee = f.uuid_patch("assignee_id");
  auto due_date = f.date_patch("due_date");
  auto priority = f.one_of_patch("priority", task_priorities);
  const auto expected = expected_version(req, &f);
  f.check();

  if (!title.present && !description.present && !assignee.present && !due_date.present && !priority.present) {
    auto r = co_await pool_->query(sql::get_task, task_id, project_id);
    if (r.empty()) {
      fail(problems::not_found("No such task."));
    }
    check_version(expected, r);
    co_return task_response(r);
  }
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::edit_tasks);
  auto current = co_await locked_task(tx, task_id, project_id, expected);
  if (assignee.value && (co_await tx.query(sql::is_member, project_id, *assignee.value)).empty()) {
    fail(problems::field("assignee_id", "is not a member of this project"));
  }
  auto r = co_await tx.query(sql::update_task, task_id, title.present, title.value, description.present,
                             description.value, assignee.present, assignee.value, due_date.present, due_date.value,
                             priority.present, priority.value);
  if (title.present) {
    co_await links::artifact_renamed(tx, project_id, "TASK", task_id, *title.value);
  }
  co_await commit_board_write(tx, scope, "task.updated", seq, r.get(0, "task"));
  co_return task_response(r);
}

awaitable<http::Response> TasksService::move_task(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_tasks);
  const auto& project_id = scope.project_id;
  const auto task_id = task_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"column_id", "index", "version"});
  auto column_id = f.uuid("column_id");
  auto index = f.integer("index", 0, max_index);
  const auto expected = expected_version(req, &f);
  f.check();

  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::edit_tasks);
  auto current = co_await locked_task(tx, task_id, project_id, expected);
  // Scoped to the project: a column of another project is refused like a missing one.
  auto column = co_await tx.query(sql::get_column, *column_id, project_id);
  if (column.empty()) {
    fail(problems::field("column_id", "is not a column of this project"));
  }
  const bool same_column = current.get(0, "column_id") == *column_id;
  auto at = co_await place(tx, *column_id, task_id, index,
                           same_column ? std::optional(current.get_int(0, "position")) : std::nullopt);
  auto r = co_await tx.query(sql::place_task, task_id, *column_id, column.get(0, "status"), at.position);
  // The index lets a client place the task without comparing positions; after a renumbering the
  // other tasks of that column have new positions, which a client that keeps them re-reads.
  std::string extra = ",\"index\":" + std::to_string(at.index);
  if (at.renumbered) {
    extra += ",\"renumbered\":true";
  }
  co_await commit_board_write(tx, scope, "task.moved", seq, r.get(0, "task"), extra);
  co_return task_response(r);
}

awaitable<http::Response> TasksService::delete_task(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::edit_tasks);
  const auto& project_id = scope.project_id;
  const auto task_id = task_id_of(req);
  const auto expected = expected_version(req, nullptr);
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::edit_tasks);
  auto current = co_await locked_task(tx, task_id, project_id, expected);
  co_await tx.query(sql::delete_task, task_id);
  co_await links::artifact_deleted(tx, project_id, "TASK", task_id);
  co_await commit_board_write(tx, scope, "task.deleted", seq, current.get(0, "task"));
  co_return http::Response::no_content();
}

}  // namespace collabdev::tasks
