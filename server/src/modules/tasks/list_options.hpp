#pragma once
// The parts of task requests that are pure text handling: sort orders of the task list, its
// opaque keyset cursors, and the If-Match header that carries the version a client saw.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace collabdev::tasks {

// Orders of GET .../tasks. Each one is a total order (ties broken by id) so that keyset
// pagination neither skips nor repeats a task.
enum class Sort {
  position,          // board order: column position, then position in the column
  created_at,
  created_at_desc,
  updated_at,
  updated_at_desc,
  due_date,          // tasks without a due date last
  due_date_desc,     // tasks without a due date last
  priority,          // LOW, MEDIUM, HIGH, then none
  priority_desc,     // HIGH, MEDIUM, LOW, then none
};

std::optional<Sort> parse_sort(std::string_view s);
std::string_view sort_name(Sort s);
// The sort names accepted, for error messages and docs.
std::string_view sort_names();

// Where a page ended: the sort keys of its last task. k1 and k2 are the text forms PostgreSQL
// gave for the keys (k2 is "0" for orders with one key).
struct Cursor {
  Sort sort = Sort::position;
  std::string k1;
  std::string k2;
  std::string id;
};

std::string encode_cursor(const Cursor& c);
// Empty when the text is not a cursor this server gave out for `sort`.
std::optional<Cursor> decode_cursor(std::string_view text, Sort sort);

// If-Match: `"3"`, `W/"3"` or `3` name version 3; `*` names none. `valid` is false for anything else.
struct IfMatch {
  bool valid = true;
  std::optional<std::int64_t> version;
};
IfMatch parse_if_match(std::string_view header);

}  // namespace collabdev::tasks
