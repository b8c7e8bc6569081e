#pragma once
// Opaque keyset cursors, one codec for every list: the sort keys of a page's last row joined by
// '|' and base64url-encoded, so that clients cannot depend on what is inside.
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace collabdev {

// Fields must not contain '|'.
std::string encode_cursor_fields(std::initializer_list<std::string_view> fields);
// Exactly `count` fields; empty when `text` is longer than `max_text`, not base64url, or holds
// another number of fields. The caller checks each field's shape.
std::optional<std::vector<std::string>> decode_cursor_fields(std::string_view text, std::size_t count,
                                                             std::size_t max_text = 300);

// "Newest first" lists: a row's timestamp and id.
struct TimeIdCursor {
  std::string time;  // RFC 3339 with microseconds, as the lists render created_at
  std::string id;    // UUID
};

std::string encode_time_id_cursor(std::string_view time, std::string_view id);
// Empty when `text` is not a cursor this server could have given out.
std::optional<TimeIdCursor> decode_time_id_cursor(std::string_view text);

}  // namespace collabdev
