#pragma once
// The Kanban board: columns and tasks of a project, kept in order, filtered and searched, with
// optimistic concurrency on tasks; every committed change is published on the project's tasks
// channel with the project's board sequence number, in that order, so that a client can notice
// a missed event.
//
// One service, its handlers in one file per job: columns.cpp (board structure), tasks.cpp (task
// writes and reads), task_list.cpp (the filtered, sorted, paged list), board.cpp (the whole
// board, cached by sequence) and board_writes.cpp (what every board write shares).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/projects/projects.hpp"
#include "modules/tasks/board_cache.hpp"

namespace collabdev::tasks {

class TasksService {
 public:
  TasksService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth,
               projects::ProjectsService& projects);

  void register_routes(http::Router& router);

 private:
  // Columns (columns.cpp).
  awaitable<http::Response> list_columns(http::Request& req);
  awaitable<http::Response> create_column(http::Request& req);
  awaitable<http::Response> update_column(http::Request& req);
  awaitable<http::Response> move_column(http::Request& req);
  awaitable<http::Response> delete_column(http::Request& req);
  // The board (board.cpp) and the task list (task_list.cpp).
  awaitable<http::Response> board(http::Request& req);
  awaitable<http::Response> list_tasks(http::Request& req);
  // Tasks (tasks.cpp).
  awaitable<http::Response> create_task(http::Request& req);
  awaitable<http::Response> get_task(http::Request& req);
  awaitable<http::Response> update_task(http::Request& req);
  awaitable<http::Response> move_task(http::Request& req);
  awaitable<http::Response> delete_task(http::Request& req);

  // Every board write starts its transaction here: numbers the write's event (which takes the
  // project's row lock), then reads the caller's role again under that lock.
  awaitable<std::int64_t> begin_board_write(db::Transaction& tx, projects::Scope& scope, projects::Action action);
  // Commits a board write and queues its event `{type, room, seq, actor, data, ...extra}` in
  // board order (actor: the scope's caller, as confirmed by begin_board_write); returns without
  // waiting for the bus. `data` and `extra` are JSON text (extra: `,"key":value` members or empty).
  awaitable<void> commit_board_write(db::Transaction& tx, const projects::Scope& scope, std::string_view type,
                                     std::int64_t seq, std::string_view data, std::string_view extra = {});

  // The position for a task placed at `index` of a column (at its end when absent or too large),
  // not counting task `task_id`; `current` is the task's position when it is already in that
  // column. Renumbers the column in the transaction when no gap is left.
  struct Placement {
    std::int64_t position = 0;
    bool renumbered = false;
    std::int64_t index = 0;  // the index actually taken (clamped to the end)
  };
  awaitable<Placement> place(db::Transaction& tx, const std::string& column_id, const std::string& task_id,
                             std::optional<std::int64_t> index, std::optional<std::int64_t> current);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  auth::AuthService& auth_;
  projects::ProjectsService& projects_;
  BoardCache boards_{64 * 1024 * 1024};
};

}  // namespace collabdev::tasks
