// What every board write shares (numbering its event under the project's lock, committing, and
// queueing the event in board order), the service's construction and its routes.
#include <string>

#include <boost/json.hpp>

#include "bus/channels.hpp"
#include "modules/tasks/queries.hpp"
#include "modules/tasks/tasks.hpp"

namespace collabdev::tasks {

TasksService::TasksService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth,
                           projects::ProjectsService& projects)
    : pool_(std::move(pool)), bus_(std::move(bus)), auth_(auth), projects_(projects) {}

awaitable<std::int64_t> TasksService::begin_board_write(db::Transaction& tx, projects::Scope& scope,
                                                        projects::Action action) {
  auto r = co_await tx.query(sql::next_board_seq, scope.project_id);
  if (r.empty()) {
    fail(problems::not_found("No such project."));  // deleted meanwhile
  }
  co_await projects_.confirm(tx, scope, action);
  co_return r.get_int(0, "board_seq");
}

awaitable<void> TasksService::commit_board_write(db::Transaction& tx, const projects::Scope& scope,
                                                 std::string_view type, std::int64_t seq, std::string_view data,
                                                 std::string_view extra) {
  // Built as text: type and room are ours (the id is canonical), data is PostgreSQL's JSON and
  // the actor's name is escaped by the JSON serializer.
  const auto& project_id = scope.project_id;
  const auto actor_name = boost::json::serialize(boost::json::string(scope.user_name));
  const auto room = channels::project_room(project_id);
  std::string envelope;
  envelope.reserve(data.size() + extra.size() + room.size() + actor_name.size() + 128);
  envelope += "{\"type\":\"";
  envelope += type;
  envelope += "\",\"room\":\"";
  envelope += room;
  envelope += "\",\"seq\":";
  envelope += std::to_string(seq);
  envelope += ",\"actor\":{\"id\":\"";
  envelope += scope.user_id;
  envelope += "\",\"name\":";
  envelope += actor_name;
  envelope += "}";
  envelope += ",\"data\":";
  envelope += data;
  envelope += extra;
  envelope += "}";
  // Taken while the transaction still holds the project's lock: slots are in board_seq order.
  auto slot = projects_.board_events().reserve(project_id);
  co_await tx.commit();
  slot.publish(co_await asio::this_coro::executor, channels::project_tasks(project_id), std::move(envelope));
}

void TasksService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (TasksService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.get("/api/v1/projects/{id}/columns", bind(&TasksService::list_columns));
  router.post("/api/v1/projects/{id}/columns", bind(&TasksService::create_column));
  router.patch("/api/v1/projects/{id}/columns/{columnId}", bind(&TasksService::update_column));
  router.del("/api/v1/projects/{id}/columns/{columnId}", bind(&TasksService::delete_column));
  router.post("/api/v1/projects/{id}/columns/{columnId}/move", bind(&TasksService::move_column));
  router.get("/api/v1/projects/{id}/board", bind(&TasksService::board));
  router.get("/api/v1/projects/{id}/tasks", bind(&TasksService::list_tasks));
  router.post("/api/v1/projects/{id}/tasks", bind(&TasksService::create_task));
  router.get("/api/v1/projects/{id}/tasks/{taskId}", bind(&TasksService::get_task));
  router.patch("/api/v1/projects/{id}/tasks/{taskId}", bind(&TasksService::update_task));
  router.del("/api/v1/projects/{id}/tasks/{taskId}", bind(&TasksService::delete_task));
  router.post("/api/v1/projects/{id}/tasks/{taskId}/move", bind(&TasksService::move_task));
}

}  // namespace collabdev::tasks
