#include "modules/tasks/list_options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "core/cursor.hpp"
#include "core/json.hpp"

namespace collabdev::tasks {

namespace {

constexpr std::array<std::pair<std::string_view, Sort>, 9> sorts{{
    {"position", Sort::position},
    {"created_at", Sort::created_at},
    {"-created_at", Sort::created_at_desc},
    {"updated_at", Sort::updated_at},
    {"-updated_at", Sort::updated_at_desc},
    {"due_date", Sort::due_date},
    {"-due_date", Sort::due_date_desc},
    {"priority", Sort::priority},
    {"-priority", Sort::priority_desc},
}};

constexpr std::size_t max_cursor = 300;

bool is_integer(std::string_view s) {
  std::int64_t n = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// As to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') writes it.
bool is_timestamp(std::string_view s) {
  if (s.size() != 27 || s[10] != 'T' || s.back() != 'Z' || !json::is_iso_date(s.substr(0, 10))) {
    return false;
  }
  return std::all_of(s.begin() + 11, s.end() - 1, [](char c) { return (c >= '0' && c <= '9') || c == ':' || c == '.'; });
}

bool valid_k1(Sort sort, std::string_view k1) {
  switch (sort) {
    case Sort::position:
    case Sort::priority:
    case Sort::priority_desc:
      return is_integer(k1);
    case Sort::created_at:
    case Sort::created_at_desc:
    case Sort::updated_at:
    case Sort::updated_at_desc:
      return is_timestamp(k1);
    case Sort::due_date:
    case Sort::due_date_desc:
      return k1 == "infinity" || k1 == "-infinity" || json::is_iso_date(k1);
  }
  return false;
}

}  // namespace

std::optional<Sort> parse_sort(std::string_view s) {
  for (const auto& [name, sort] : sorts) {
    if (name == s) {
      return sort;
    }
  }
  return std::nullopt;
}

std::string_view sort_name(Sort s) {
  for (const auto& [name, sort] : sorts) {
    if (sort == s) {
      return name;
    }
  }
  return "position";
}

std::string_view sort_names() {
  return "position, created_at, -created_at, updated_at, -updated_at, due_date, -due_date, priority, -priority";
}

std::string encode_cursor(const Cursor& c) {
  return encode_cursor_fields({sort_name(c.sort), c.k1, c.k2, c.id});
}

std::optional<Cursor> decode_cursor(std::string_view text, Sort sort) {
  auto parts = decode_cursor_fields(text, 4, max_cursor);
  // A cursor of another order would resume at a meaningless place.
  if (!parts || parse_sort((*parts)[0]) != sort || !valid_k1(sort, (*parts)[1]) || !is_integer((*parts)[2]) ||
      !json::is_uuid((*parts)[3])) {
    return std::nullopt;
  }
  return Cursor{sort, std::move((*parts)[1]), std::move((*parts)[2]), std::move((*parts)[3])};
}

IfMatch parse_if_match(std::string_view h) {
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) {
    h.remove_prefix(1);
  }
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) {
    h.remove_suffix(1);
  }
  if (h.empty() || h == "*") {
    return {};
  }
  if (h.starts_with("W/")) {
    h.remove_prefix(2);
  }
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"') {
    h = h.substr(1, h.size() - 2);
  }
  std::int64_t v = 0;
  auto r = std::from_chars(h.data(), h.data() + h.size(), v);
  if (h.empty() || r.ec != std::errc{} || r.ptr != h.data() + h.size() || v < 1 || v > 2147483647) {
    return {.valid = false, .version = std::nullopt};
  }
  return {.valid = true, .version = v};
}

}  // namespace collabdev::tasks
