// The whole board in one response, served from a cache keyed by the board sequence (and an ETag
// of it), so that the many reads between two writes cost one small query each.
#include <memory>
#include <string>

#include "modules/tasks/queries.hpp"
#include "modules/tasks/request_parts.hpp"
#include "modules/tasks/tasks.hpp"

namespace collabdev::tasks {

using projects::Action;

awaitable<http::Response> TasksService::board(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto& project_id = scope.project_id;
  // Boards are read far more often than written: one small query decides whether the last
  // rendering is still current (ETag and cache both keyed by the board sequence).
  auto current = co_await pool_->query(sql::board_seq, project_id);
  if (current.empty()) {
    fail(problems::not_found("No such project."));
  }
  const auto seq = current.get_int(0, "board_seq");
  const std::string etag = "\"b" + std::to_string(seq) + "\"";
  if (req.header("if-none-match") == etag) {
    http::Response not_modified;
    not_modified.status = 304;
    not_modified.content_type.clear();
    not_modified.header("ETag", etag);
    co_return not_modified;
  }
  auto board = boards_.find(project_id, seq);
  std::int64_t served_seq = seq;
  if (!board) {
    auto r = co_await pool_->query(sql::board, project_id);
    if (r.empty()) {
      fail(problems::not_found("No such project."));
    }
    board = std::make_shared<const std::string>(r.get(0, "board"));
    served_seq = r.get_int(0, "board_seq");  // a write may have landed in between
    boards_.store(project_id, served_seq, board);
  }
  auto res = json_text(std::string(*board));
  res.header("ETag", "\"b" + std::to_string(served_seq) + "\"");
  res.header("Cache-Control", "no-cache");
  co_return res;
}

}  // namespace collabdev::tasks
