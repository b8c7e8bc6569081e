#pragma once
// What the board's handlers share: ids and versions read from a request, and responses made of
// the JSON that PostgreSQL rendered (passed through as text, never parsed and re-serialised).
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/json.hpp"
#include "db/db.hpp"
#include "http/router.hpp"

namespace collabdev::tasks {

inline constexpr std::int64_t max_version = 2147483647;  // tasks.version is an integer

// The values the schema allows (ck_tasks_status, ck_task_columns_status, ck_tasks_priority).
inline const std::initializer_list<std::string_view> task_statuses = {"TODO", "IN_PROGRESS", "DONE"};
inline const std::initializer_list<std::string_view> task_priorities = {"LOW", "MEDIUM", "HIGH"};

// Canonical ids from the path; a malformed one is 404 like a missing one.
std::string column_id_of(const http::Request& req);
std::string task_id_of(const http::Request& req);

http::Response json_text(std::string body, int status = 200);
// A task rendered by PostgreSQL (column `task`), with its version as the ETag.
http::Response task_response(const db::Result& r, int status = 200);
// `{"items": <array>, "next_cursor": null}`.
std::string page_json(std::string_view items_array);

// The version the client saw: If-Match or a `version` field (both must agree when both are sent).
std::optional<std::int64_t> expected_version(const http::Request& req, json::Fields* fields);
// 412 with the current task when the client saw another version.
void check_version(std::optional<std::int64_t> expected, const db::Result& current);
// A Patch read with one_of_patch that may not be null.
void forbid_null(json::Fields& f, const boost::json::object& body, std::string_view name);

}  // namespace collabdev::tasks
