#include "core/cursor.hpp"

#include <cstring>

#include <sodium.h>

#include "core/json.hpp"

namespace collabdev {

std::string encode_cursor_fields(std::initializer_list<std::string_view> fields) {
  std::string raw;
  bool first = true;
  for (auto f : fields) {
    if (!first) {
      raw += '|';
    }
    raw += f;
    first = false;
  }
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::vector<std::string>> decode_cursor_fields(std::string_view text, std::size_t count,
                                                             std::size_t max_text) {
  if (text.empty() || text.size() > max_text || count == 0) {
    return std::nullopt;
  }
  std::string raw(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  raw.resize(len);
  std::vector<std::string> fields;
  fields.reserve(count);
  std::size_t start = 0;
  for (;;) {
    const auto bar = raw.find('|', start);
    fields.push_back(raw.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) {
      break;
    }
    if (fields.size() == count) {
      return std::nullopt;  // more fields than expected
    }
    start = bar + 1;
  }
  if (fields.size() != count) {
    return std::nullopt;
  }
  return fields;
}

std::string encode_time_id_cursor(std::string_view time, std::string_view id) {
  return encode_cursor_fields({time, id});
}

std::optional<TimeIdCursor> decode_time_id_cursor(std::string_view text) {
  auto f = decode_cursor_fields(text, 2, 200);
  if (!f || (*f)[0].size() < 20 || (*f)[0].size() > 40 || !json::is_uuid((*f)[1])) {
    return std::nullopt;
  }
  return TimeIdCursor{std::move((*f)[0]), std::move((*f)[1])};
}

}  // namespace collabdev
