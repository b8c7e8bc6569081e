// Columns of the board: list, create, rename or restatus (tasks follow the status), reorder and
// delete (moving their tasks to another column).
#include <string>

#include "core/ids.hpp"
#include "modules/tasks/queries.hpp"
#include "modules/tasks/request_parts.hpp"
#include "modules/tasks/tasks.hpp"

namespace collabdev::tasks {

using projects::Action;

namespace {

constexpr std::size_t max_column_name = 64;  // task_columns.name varchar(64)
constexpr std::int64_t max_columns = 100;    // per project: a board, not a data store

}  // namespace

awaitable<http::Response> TasksService::list_columns(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto& project_id = scope.project_id;
  auto r = co_await pool_->query(sql::list_columns, project_id);
  co_return json_text(page_json(r.get(0, "items")));
}

awaitable<http::Response> TasksService::create_column(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_columns);
  const auto& project_id = scope.project_id;
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "status"});
  auto name = f.string("name", {.min = 1, .max = max_column_name});
  auto status = f.one_of("status", task_statuses, false);
  forbid_null(f, body, "status");
  f.check();
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::manage_columns);
  if ((co_await tx.query(sql::count_columns, project_id)).get_int(0, "n") >= max_columns) {
    fail(problems::conflict("A board holds at most " + std::to_string(max_columns) + " columns."));
  }
  auto r = co_await tx.query(sql::insert_column, project_id, *name, status.value_or("TODO"));
  const std::string column(r.get(0, "col"));
  co_await commit_board_write(tx, scope, "column.created", seq, column);
  co_return json_text(column, 201);
}

awaitable<http::Response> TasksService::update_column(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_columns);
  const auto& project_id = scope.project_id;
  const auto column_id = column_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "status"});
  auto name = f.string_patch("name", {.required = false, .min = 1, .max = max_column_name});
  auto status = f.one_of_patch("status", task_statuses);
  forbid_null(f, body, "status");
  f.check();
  if (!name.present && !status.present) {
    auto r = co_await pool_->query(sql::get_column, column_id, project_id);
    if (r.empty()) {
      fail(problems::not_found("No such column."));
    }
    co_return json_text(std::string(r.get(0, "col")));
  }
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::manage_columns);
  auto r = co_await tx.query(sql::update_column, column_id, project_id, name.present, name.value, status.present,
                             status.value);
  if (r.empty()) {
    fail(problems::not_found("No such column."));
  }
  if (status.present) {
    co_await tx.query(sql::follow_column_status, column_id, *status.value);
  }
  const std::string column(r.get(0, "col"));
  co_await commit_board_write(tx, scope, "column.updated", seq, column);
  co_return json_text(column);
}

awaitable<http::Response> TasksService::move_column(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_columns);
  const auto& project_id = scope.project_id;
  const auto column_id = column_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"index"});
  auto index = f.integer("index", 0, max_columns - 1);
  f.check();
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::manage_columns);
  if ((co_await tx.query(sql::get_column, column_id, project_id)).empty()) {
    fail(problems::not_found("No such column."));
  }
  co_await tx.query(sql::reorder_columns, project_id, column_id, *index);
  auto r = co_await tx.query(sql::list_columns, project_id);
  co_await commit_board_write(tx, scope, "columns.reordered", seq,
                              "{\"items\":" + std::string(r.get(0, "items")) + "}");
  const auto page = page_json(r.get(0, "items"));
  co_return json_text(page);
}

awaitable<http::Response> TasksService::delete_column(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::manage_columns);
  const auto& project_id = scope.project_id;
  const auto column_id = column_id_of(req);
  std::optional<std::string> move_to;
  if (auto m = req.query_param("move_tasks_to"); m && !m->empty()) {
    move_to = ids::canonical(*m);
    if (!move_to) {
      fail(problems::bad_request("move_tasks_to must be a column id", "move_tasks_to"));
    }
    if (*move_to == column_id) {
      fail(problems::field("move_tasks_to", "must be another column than the one deleted"));
    }
  }
  auto tx = co_await pool_->begin();
  const auto seq = co_await begin_board_write(tx, scope, Action::manage_columns);
  if ((co_await tx.query(sql::get_column, column_id, project_id)).empty()) {
    fail(problems::not_found("No such column."));
  }
  std::int64_t moved = 0;
  if (move_to) {
    auto target = co_await tx.query(sql::get_column, *move_to, project_id);
    if (target.empty()) {
      fail(problems::field("move_tasks_to", "is not a column of this project"));
    }
    moved = (co_await tx.query(sql::move_column_tasks, column_id, *move_to, target.get(0, "status"))).affected_rows();
    co_await tx.query(sql::renumber_if_out_of_range, *move_to);
  } else if ((co_await tx.query(sql::count_column_tasks, column_id)).get_int(0, "n") > 0) {
    fail(problems::conflict("The column holds tasks; name a column to move them to with move_tasks_to, "
                            "or move or delete them first.",
                            "move_tasks_to"));
  }
  auto r = co_await tx.query(sql::delete_column, column_id, project_id);
  co_await tx.query(sql::compact_columns, project_id);
  const std::string extra = ",\"moved_tasks_to\":" + (move_to ? "\"" + *move_to + "\"" : std::string("null")) +
                            ",\"moved_tasks\":" + std::to_string(moved);
  co_await commit_board_write(tx, scope, "column.deleted", seq, r.get(0, "col"), extra);
  co_return http::Response::no_content();
}

}  // namespace collabdev::tasks
