#include "modules/tasks/tasks.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/json.hpp"
#include "modules/tasks/list_options.hpp"
#include "modules/tasks/position.hpp"
#include "modules/tasks/queries.hpp"

namespace collabdev::tasks {

namespace bj = boost::json;
using projects::Action;

namespace {

constexpr std::size_t max_title = 255;
constexpr std::size_t max_description = 100000;
constexpr std::size_t max_column_name = 64;  // task_columns.name varchar(64)
constexpr std::int64_t max_columns = 100;    // per project: a board, not a data store
constexpr std::int64_t max_index = 1000000;  // larger indexes mean "the end" anyway
constexpr std::int64_t max_version = INT_MAX;  // tasks.version is an integer
constexpr std::int64_t default_page = 50;
constexpr std::int64_t max_page = 200;
constexpr std::size_t max_query_text = 200;
// Stands for "no task" where a statement excludes the task being placed.
constexpr std::string_view no_task = "00000000-0000-0000-0000-000000000000";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Project ids are compared as text in channel names, so they are used in one spelling.
std::string project_id_of(const http::Request& req) { return lower(req.param("id")); }

std::string column_id_of(const http::Request& req) {
  std::string id(req.param("columnId"));
  if (!json::is_uuid(id)) {
    fail(problems::not_found("No such column."));
  }
  return lower(id);
}

std::string task_id_of(const http::Request& req) {
  std::string id(req.param("taskId"));
  if (!json::is_uuid(id)) {
    fail(problems::not_found("No such task."));
  }
  return lower(id);
}

std::string etag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

http::Response json_text(std::string body, int status = 200) {
  return http::Response::text(std::move(body), "application/json", status);
}

http::Response task_response(const db::Result& r, int status = 200) {
  auto res = json_text(std::string(r.get(0, "task")), status);
  res.header("ETag", etag(r.get_int(0, "version")));
  return res;
}

std::string page_json(std::string_view items_array) {
  return "{\"items\":" + std::string(items_array) + ",\"next_cursor\":null}";
}

// The version the client saw: If-Match or a `version` field (both must agree when both are sent).
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

// A Patch read with one_of_patch that may not be null.
void forbid_null(json::Fields& f, const bj::object& body, std::string_view name) {
  if (auto* v = body.if_contains(name); v != nullptr && v->is_null()) {
    f.error(std::string(name), "must not be null");
  }
}

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

std::optional<std::int64_t> optional_int(const db::Result& r, int row, std::string_view col) {
  if (r.is_null(row, r.column(col))) {
    return std::nullopt;
  }
  return r.get_int(row, col);
}

}  // namespace

std::string tasks_channel(std::string_view project_id) { return "ws:project:" + std::string(project_id) + ":tasks"; }

TasksService::TasksService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, auth::AuthService& auth,
                           projects::ProjectsService& projects)
    : pool_(std::move(pool)), bus_(std::move(bus)), auth_(auth), projects_(projects) {}

awaitable<void> TasksService::publish(const std::string& project_id, std::string_view type, std::int64_t seq,
                                      std::string_view data, std::string_view extra) {
  // Built as text: type and room are ours (the id is a checked UUID) and data is PostgreSQL's JSON.
  std::string envelope;
  envelope.reserve(data.size() + extra.size() + 128);
  envelope += "{\"type\":\"";
  envelope += type;
  envelope += "\",\"room\":\"project:";
  envelope += project_id;
  envelope += "\",\"seq\":";
  envelope += std::to_string(seq);
  envelope += ",\"data\":";
  envelope += data;
  envelope += extra;
  envelope += "}";
  if (!co_await bus_->publish(tasks_channel(project_id), std::move(envelope))) {
    spdlog::warn("board event {} #{} of project {} not published: bus unreachable", type, seq, project_id);
  }
}

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

// ---- columns ---------------------------------------------------------------------------------

awaitable<http::Response> TasksService::list_columns(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::view_project);
  auto r = co_await pool_->query(sql::list_columns, project_id);
  co_return json_text(page_json(r.get(0, "items")));
}

awaitable<http::Response> TasksService::create_column(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::manage_columns);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "status"});
  auto name = f.string("name", {.min = 1, .max = max_column_name});
  auto status = f.one_of("status", {"TODO", "IN_PROGRESS", "DONE"}, false);
  forbid_null(f, body, "status");
  f.check();
  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  if ((co_await tx.query(sql::count_columns, project_id)).get_int(0, "n") >= max_columns) {
    fail(problems::conflict("A board holds at most " + std::to_string(max_columns) + " columns."));
  }
  auto r = co_await tx.query(sql::insert_column, project_id, *name, status.value_or("TODO"));
  co_await tx.commit();
  const std::string column(r.get(0, "col"));
  co_await publish(project_id, "column.created", seq, column);
  co_return json_text(column, 201);
}

awaitable<http::Response> TasksService::update_column(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::manage_columns);
  const auto column_id = column_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"name", "status"});
  auto name = f.string_patch("name", {.required = false, .min = 1, .max = max_column_name});
  auto status = f.one_of_patch("status", {"TODO", "IN_PROGRESS", "DONE"});
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
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  auto r = co_await tx.query(sql::update_column, column_id, project_id, name.present, name.value, status.present,
                             status.value);
  if (r.empty()) {
    fail(problems::not_found("No such column."));
  }
  if (status.present) {
    co_await tx.query(sql::follow_column_status, column_id, *status.value);
  }
  co_await tx.commit();
  const std::string column(r.get(0, "col"));
  co_await publish(project_id, "column.updated", seq, column);
  co_return json_text(column);
}

awaitable<http::Response> TasksService::move_column(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::manage_columns);
  const auto column_id = column_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"index"});
  auto index = f.integer("index", 0, max_columns - 1);
  f.check();
  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  if ((co_await tx.query(sql::get_column, column_id, project_id)).empty()) {
    fail(problems::not_found("No such column."));
  }
  co_await tx.query(sql::reorder_columns, project_id, column_id, *index);
  auto r = co_await tx.query(sql::list_columns, project_id);
  co_await tx.commit();
  const auto page = page_json(r.get(0, "items"));
  co_await publish(project_id, "columns.reordered", seq, "{\"items\":" + std::string(r.get(0, "items")) + "}");
  co_return json_text(page);
}

awaitable<http::Response> TasksService::delete_column(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::manage_columns);
  const auto column_id = column_id_of(req);
  std::optional<std::string> move_to;
  if (auto m = req.query_param("move_tasks_to"); m && !m->empty()) {
    if (!json::is_uuid(*m)) {
      fail(problems::bad_request("move_tasks_to must be a column id", "move_tasks_to"));
    }
    move_to = lower(*m);
    if (*move_to == column_id) {
      fail(problems::field("move_tasks_to", "must be another column than the one deleted"));
    }
  }
  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
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
  co_await tx.commit();
  const std::string extra = ",\"moved_tasks_to\":" + (move_to ? "\"" + *move_to + "\"" : std::string("null")) +
                            ",\"moved_tasks\":" + std::to_string(moved);
  co_await publish(project_id, "column.deleted", seq, r.get(0, "col"), extra);
  co_return http::Response::no_content();
}

// ---- tasks -----------------------------------------------------------------------------------

awaitable<http::Response> TasksService::board(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::view_project);
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

awaitable<http::Response> TasksService::list_tasks(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::view_project);

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
    json::is_uuid(*v) ? void(column_id = lower(*v)) : errors.add("column_id", "must be a UUID");
  }
  std::optional<std::string> assignee_id;
  bool unassigned = false;
  if (auto v = param("assignee_id")) {
    if (*v == "none") {
      unassigned = true;
    } else if (json::is_uuid(*v)) {
      assignee_id = lower(*v);
    } else {
      errors.add("assignee_id", "must be a UUID, or none for unassigned tasks");
    }
  }
  std::optional<std::string> statuses;
  if (auto v = param("status")) {
    statuses = enum_list(*v, "status", {"TODO", "IN_PROGRESS", "DONE"}, errors);
  }
  std::optional<std::string> priorities;
  if (auto v = param("priority")) {
    priorities = enum_list(*v, "priority", {"LOW", "MEDIUM", "HIGH"}, errors);
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

awaitable<http::Response> TasksService::create_task(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::edit_tasks);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"title", "description", "column_id", "assignee_id", "due_date", "priority"});
  auto title = f.string("title", {.min = 1, .max = max_title});
  auto description =
      f.string_patch("description", {.required = false, .max = max_description, .trim = false, .nullable = true});
  auto column_id = f.uuid("column_id", false);
  auto assignee = f.uuid_patch("assignee_id");
  auto due_date = f.date_patch("due_date");
  auto priority = f.one_of_patch("priority", {"LOW", "MEDIUM", "HIGH"});
  f.check();

  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
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
                             due_date.value, priority.value, me.user_id, at.position);
  co_await tx.commit();
  co_await publish(project_id, "task.created", seq, r.get(0, "task"));
  auto res = task_response(r, 201);
  res.header("Location", "/api/v1/projects/" + project_id + "/tasks/" + std::string(r.get(0, "id")));
  co_return res;
}

awaitable<http::Response> TasksService::get_task(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::view_project);
  const auto task_id = task_id_of(req);
  auto r = co_await pool_->query(sql::get_task, task_id, project_id);
  if (r.empty()) {
    fail(problems::not_found("No such task."));
  }
  co_return task_response(r);
}

awaitable<http::Response> TasksService::update_task(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::edit_tasks);
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
  auto priority = f.one_of_patch("priority", {"LOW", "MEDIUM", "HIGH"});
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
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  auto current = co_await tx.query(sql::lock_task, task_id, project_id);
  if (current.empty()) {
    fail(problems::not_found("No such task."));
  }
  check_version(expected, current);
  if (assignee.value && (co_await tx.query(sql::is_member, project_id, *assignee.value)).empty()) {
    fail(problems::field("assignee_id", "is not a member of this project"));
  }
  auto r = co_await tx.query(sql::update_task, task_id, title.present, title.value, description.present,
                             description.value, assignee.present, assignee.value, due_date.present, due_date.value,
                             priority.present, priority.value);
  co_await tx.commit();
  co_await publish(project_id, "task.updated", seq, r.get(0, "task"));
  co_return task_response(r);
}

awaitable<http::Response> TasksService::move_task(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::edit_tasks);
  const auto task_id = task_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"column_id", "index", "version"});
  auto column_id = f.uuid("column_id");
  auto index = f.integer("index", 0, max_index);
  const auto expected = expected_version(req, &f);
  f.check();

  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  auto current = co_await tx.query(sql::lock_task, task_id, project_id);
  if (current.empty()) {
    fail(problems::not_found("No such task."));
  }
  check_version(expected, current);
  // Scoped to the project: a column of another project is refused like a missing one.
  auto column = co_await tx.query(sql::get_column, *column_id, project_id);
  if (column.empty()) {
    fail(problems::field("column_id", "is not a column of this project"));
  }
  const bool same_column = current.get(0, "column_id") == *column_id;
  auto at = co_await place(tx, *column_id, task_id, index,
                           same_column ? std::optional(current.get_int(0, "position")) : std::nullopt);
  auto r = co_await tx.query(sql::place_task, task_id, *column_id, column.get(0, "status"), at.position);
  co_await tx.commit();
  // The index lets a client place the task without comparing positions; after a renumbering the
  // other tasks of that column have new positions, which a client that keeps them re-reads.
  std::string extra = ",\"index\":" + std::to_string(at.index);
  if (at.renumbered) {
    extra += ",\"renumbered\":true";
  }
  co_await publish(project_id, "task.moved", seq, r.get(0, "task"), extra);
  co_return task_response(r);
}

awaitable<http::Response> TasksService::delete_task(http::Request& req) {
  auto me = co_await auth_.require(req);
  const auto project_id = project_id_of(req);
  co_await projects_.require(project_id, me.user_id, Action::edit_tasks);
  const auto task_id = task_id_of(req);
  const auto expected = expected_version(req, nullptr);
  auto tx = co_await pool_->begin();
  const auto seq = (co_await tx.query(sql::next_board_seq, project_id)).get_int(0, "board_seq");
  auto current = co_await tx.query(sql::lock_task, task_id, project_id);
  if (current.empty()) {
    fail(problems::not_found("No such task."));
  }
  check_version(expected, current);
  co_await tx.query(sql::delete_task, task_id);
  co_await tx.commit();
  co_await publish(project_id, "task.deleted", seq, current.get(0, "task"));
  co_return http::Response::no_content();
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
