#pragma once
// Opaque keyset cursors for "newest first" lists: a row's timestamp and id, base64url-encoded,
// so that clients cannot depend on what is inside.
#include <optional>
#include <string>
#include <string_view>

namespace collabdev {

struct TimeIdCursor {
  std::string time;  // RFC 3339 with microseconds, as the lists render created_at
  std::string id;    // UUID
};

std::string encode_time_id_cursor(std::string_view time, std::string_view id);
// Empty when `text` is not a cursor this server could have given out.
std::optional<TimeIdCursor> decode_time_id_cursor(std::string_view text);

}  // namespace collabdev
