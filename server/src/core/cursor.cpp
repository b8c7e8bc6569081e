#include "core/cursor.hpp"

#include <cstring>

#include <sodium.h>

#include "core/json.hpp"

namespace collabdev {

std::string encode_time_id_cursor(std::string_view time, std::string_view id) {
  const std::string raw = std::string(time) + "|" + std::string(id);
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<TimeIdCursor> decode_time_id_cursor(std::string_view text) {
  if (text.empty() || text.size() > 200) {
    return std::nullopt;
  }
  std::string raw(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  raw.resize(len);
  const auto bar = raw.find('|');
  if (bar == std::string::npos || bar < 20 || bar > 40 || !json::is_uuid(raw.substr(bar + 1))) {
    return std::nullopt;
  }
  return TimeIdCursor{raw.substr(0, bar), raw.substr(bar + 1)};
}

}  // namespace collabdev
