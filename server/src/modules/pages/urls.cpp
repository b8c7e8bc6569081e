// Where links and images may point, and the form of a page's route.
#include <algorithm>
#include <optional>
#include <string>

#include <boost/url/parse.hpp>

#include "modules/pages/structure.hpp"

namespace collabdev::pages {
namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& path, const std::string& message) {
  throw PageError(code, path, path + ": " + message);
}

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool anchor_char(char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '-'; }
bool is_scheme_char(char c) { return letter(c) || digit(c) || c == '+' || c == '-' || c == '.'; }

bool plain_ascii(std::string_view url) {
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    // Whitespace and controls hide schemes from naive checks ("java\tscript:"); a backslash is read as
    // '/' by browsers; character references ("&#58;", "&colon;") are decoded by HTML parsers.
    if (c <= 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '<' || c == '>' || c == '`') {
      return false;
    }
    if (c == '&') {
      std::size_t j = i + 1;
      if (j < url.size() && url[j] == '#') {
        return false;
      }
      while (j < url.size() && (letter(url[j]) || digit(url[j]))) {
        ++j;
      }
      if (j > i + 1 && j < url.size() && url[j] == ';') {
        return false;
      }
    }
  }
  return true;
}

// The scheme, lower-cased, when the URL has one (a ':' before any '/', '?' or '#').
std::optional<std::string> scheme_of(std::string_view url) {
  const auto end = url.find_first_of(":/?#");
  if (end == std::string_view::npos || url[end] != ':') {
    return std::nullopt;
  }
  std::string scheme;
  for (const char c : url.substr(0, end)) {
    scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return scheme;
}

bool is_web_url(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  // Credentials in a link are a phishing device ("https://bank.example@evil.example").
  return parsed && parsed->has_authority() && !parsed->encoded_host().empty() && !parsed->has_userinfo();
}

bool is_relative_reference(std::string_view url) {
  return boost::urls::parse_relative_ref(url).has_value();
}
}  // namespace

bool is_safe_link_url(std::string_view url) {
  if (url.empty() || url.size() > 2048 || !plain_ascii(url)) {
    return false;
  }
  if (const auto scheme = scheme_of(url)) {
    if (!std::all_of(scheme->begin(), scheme->end(), is_scheme_char)) {
      return false;
    }
    if (*scheme == "http" || *scheme == "https") {
      return is_web_url(url);
    }
    if (*scheme == "mailto" || *scheme == "tel") {
      return url.size() > scheme->size() + 1 && boost::urls::parse_uri(url).has_value();
    }
    return false;
  }
  // "//host" is another site under the page's scheme: written as http(s) instead, to be explicit.
  if (url.starts_with("//")) {
    return false;
  }
  return is_relative_reference(url);
}

bool is_safe_image_url(std::string_view url) {
  if (!is_safe_link_url(url)) {
    return false;
  }
  if (const auto scheme = scheme_of(url)) {
    return *scheme == "http" || *scheme == "https";
  }
  return url.starts_with("/");
}

bool is_internal_url(std::string_view url) { return url.starts_with("/") && !url.starts_with("//"); }

bool is_valid_route(std::string_view route) {
  if (route.empty() || route.size() > max_route_length || route[0] != '/') {
    return false;
  }
  if (route == "/") {
    return true;
  }
  std::size_t i = 1;
  while (true) {
    // One segment: [a-z0-9]+ (-[a-z0-9]+)*
    const auto end = route.find('/', i);
    const auto segment = route.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (segment.empty() || segment.front() == '-' || segment.back() == '-' ||
        segment.find("--") != std::string_view::npos || !std::all_of(segment.begin(), segment.end(), anchor_char)) {
      return false;
    }
    if (end == std::string_view::npos) {
      return true;
    }
    i = end + 1;
  }
}

void check_route(std::string_view route) {
  if (!is_valid_route(route)) {
    fail(ErrorCode::invalid_route, "route",
         "must be / or /segments of lower-case letters, digits and single hyphens, like /docs/getting-started");
  }
}

}  // namespace collabdev::pages
