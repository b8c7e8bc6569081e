#include "core/json.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

namespace collabdev::json {

bj::object parse_object(std::string_view body) {
  if (body.empty()) {
    fail(problems::invalid_json("The request body is empty; a JSON object is expected."));
  }
  bj::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  bj::value v = bj::parse(body, ec, {}, opts);
  if (ec) {
    fail(problems::invalid_json(ec.message()));
  }
  if (!v.is_object()) {
    fail(problems::invalid_json("The request body must be a JSON object."));
  }
  return std::move(v.as_object());
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return r.ec == std::errc{} && r.ptr == s.data() + pos + len;
  };
  int y = 0;
  int m = 0;
  int d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) {
    return false;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1) {
    return false;
  }
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max_day = (m == 2 && leap) ? 29 : days[m - 1];
  return d <= max_day;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {
std::string_view trim_view(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) {
    return {};
  }
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}
}  // namespace

const bj::value* Fields::find(std::string_view name) const { return object_.if_contains(name); }

void Fields::error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

void Fields::check() const {
  if (!errors_.empty()) {
    fail(problems::validation(errors_));
  }
}

void Fields::only(std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : object_) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      error(std::string(kv.key()), "is not a known field");
    }
  }
}

Patch<std::string> Fields::string_patch(std::string_view name, StringRule rule) {
  Patch<std::string> out;
  const auto* v = find(name);
  if (v == nullptr) {
    if (rule.required) {
      error(std::string(name), "is required");
    }
    return out;
  }
  out.present = true;
  if (v->is_null()) {
    if (!rule.nullable) {
      error(std::string(name), "must not be null");
    }
    return out;
  }
  if (!v->is_string()) {
    error(std::string(name), "must be a string");
    return out;
  }
  std::string_view s = v->get_string();
  if (rule.trim) {
    s = trim_view(s);
  }
  if (s.find('\0') != std::string_view::npos) {
    error(std::string(name), "must not contain NUL characters");
    return out;
  }
  const auto len = utf8_length(s);
  if (len < rule.min) {
    error(std::string(name), rule.min == 1 ? "must not be empty"
                                           : "must be at least " + std::to_string(rule.min) + " characters");
    return out;
  }
  if (len > rule.max) {
    error(std::string(name), "must be at most " + std::to_string(rule.max) + " characters");
    return out;
  }
  out.value = std::string(s);
  return out;
}

std::optional<std::string> Fields::string(std::string_view name, StringRule rule) {
  return string_patch(name, rule).value;
}

Patch<std::string> Fields::uuid_patch(std::string_view name) {
  Patch<std::string> out;
  const auto* v = find(name);
  if (v == nullptr) {
    return out;
  }
  out.present = true;
  if (v->is_null()) {
    return out;
  }
  if (!v->is_string() || !is_uuid(v->get_string())) {
    error(std::string(name), "must be a UUID");
    return out;
  }
  std::string s(v->get_string());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  out.value = std::move(s);
  return out;
}

std::optional<std::string> Fields::uuid(std::string_view name, bool required) {
  const auto* v = find(name);
  if (v == nullptr || v->is_null()) {
    if (required) {
      error(std::string(name), "is required");
    }
    return std::nullopt;
  }
  return uuid_patch(name).value;
}

std::optional<std::int64_t> Fields::integer(std::string_view name, std::int64_t min, std::int64_t max,
                                            bool required) {
  const auto* v = find(name);
  if (v == nullptr) {
    if (required) {
      error(std::string(name), "is required");
    }
    return std::nullopt;
  }
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    error(std::string(name), "must be at most " + std::to_string(max));
    return std::nullopt;
  } else if (v->is_double()) {
    const double d = v->get_double();
    if (d != static_cast<double>(static_cast<std::int64_t>(d)) || d > 9e18 || d < -9e18) {
      error(std::string(name), "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    n = static_cast<std::int64_t>(d);
  } else {
    error(std::string(name), "must be an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    error(std::string(name), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> Fields::boolean(std::string_view name, bool required) {
  const auto* v = find(name);
  if (v == nullptr) {
    if (required) {
      error(std::string(name), "is required");
    }
    return std::nullopt;
  }
  if (!v->is_bool()) {
    error(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

Patch<std::string> Fields::one_of_patch(std::string_view name, std::initializer_list<std::string_view> values) {
  Patch<std::string> out;
  const auto* v = find(name);
  if (v == nullptr) {
    return out;
  }
  out.present = true;
  if (v->is_null()) {
    return out;
  }
  if (v->is_string() && std::find(values.begin(), values.end(), std::string_view(v->get_string())) != values.end()) {
    out.value = std::string(v->get_string());
    return out;
  }
  std::string list;
  for (auto x : values) {
    list += list.empty() ? "" : ", ";
    list += x;
  }
  error(std::string(name), "must be one of " + list);
  return out;
}

std::optional<std::string> Fields::one_of(std::string_view name, std::initializer_list<std::string_view> values,
                                          bool required) {
  const auto* v = find(name);
  if (v == nullptr || v->is_null()) {
    if (required) {
      error(std::string(name), "is required");
    }
    return std::nullopt;
  }
  return one_of_patch(name, values).value;
}

Patch<std::string> Fields::date_patch(std::string_view name) {
  Patch<std::string> out;
  const auto* v = find(name);
  if (v == nullptr) {
    return out;
  }
  out.present = true;
  if (v->is_null()) {
    return out;
  }
  if (!v->is_string() || !is_iso_date(v->get_string())) {
    error(std::string(name), "must be a date as YYYY-MM-DD");
    return out;
  }
  out.value = std::string(v->get_string());
  return out;
}

}  // namespace collabdev::json
