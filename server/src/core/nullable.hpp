#pragma once
// A column that may be NULL, as the JSON value the API renders for it (a string or null).
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

namespace collabdev {

inline boost::json::value nullable(std::optional<std::string_view> v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace collabdev
