#pragma once
// The Kanban board: columns and tasks of a project, kept in order, filtered and searched, with
// optimistic concurrency on tasks; every committed change is published on the project's tasks
// channel with the project's board sequence number, so that a client can notice a missed event.
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
  // Columns.
  awaitable<http::Response> list_columns(http::Request& req);
  awaitable<http::Response> create_column(http::Request& req);
  awaitable<http::Response> update_column(http::Request& req);
  awaitable<http::Response> move_column(http::Request& req);
  awaitable<http::Response> delete_column(http::Request& req);
  // Tasks.
  awaitable<http::Response> board(http::Request& req);
  awaitable<http::Response> list_tasks(http::Request& req);
  awaitable<http::Response> create_task(http::Request& req);
  awaitable<http::Response> get_task(http::Request& req);
  awaitable<http::Response> update_task(http::Request& req);
  awaitable<http::Response> move_task(http::Request& req);
  awaitable<http::Response> delete_task(http::Request& req);

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
  // Publishes `{type, room, seq, data, ...extra}` on ws:project:<id>:tasks; `data` and `extra`
  // are JSON text (extra: `,"key":value` members or empty).
  awaitable<void> publish(const std::string& project_id, std::string_view type, std::int64_t seq,
                          std::string_view data, std::string_view extra = {});

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  auth::AuthService& auth_;
  projects::ProjectsService& projects_;
  BoardCache boards_{64 * 1024 * 1024};
};

// The bus channel of a project's board events (the seed's ws:project:<projectId>:tasks).
std::string tasks_channel(std::string_view project_id);

}  // namespace collabdev::tasks
