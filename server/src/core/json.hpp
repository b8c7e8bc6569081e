#pragma once
// Reading request bodies: parse with limits, then read fields with rules, collecting every
// field error so that one 422 names all of them.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/problem.hpp"

namespace collabdev::json {

namespace bj = boost::json;

// A JSON object body; an empty body, non-object, invalid UTF-8 or nesting deeper than 32 is 400.
bj::object parse_object(std::string_view body);

bool is_uuid(std::string_view s);
bool is_iso_date(std::string_view s);  // YYYY-MM-DD, a real calendar date
std::size_t utf8_length(std::string_view s);  // code points, as varchar(n) counts

struct StringRule {
  bool required = true;
  std::size_t min = 0;        // in characters, after trimming
  std::size_t max = 255;      // in characters
  bool trim = true;
  bool nullable = false;      // JSON null accepted (reads as "present, null")
};

// A value that may be absent, explicitly null, or set: what a partial update needs.
template <class T>
struct Patch {
  bool present = false;
  std::optional<T> value;  // empty when null (or absent)
};

class Fields {
 public:
  explicit Fields(const bj::object& object) : object_(object) {}

  std::optional<std::string> string(std::string_view name, StringRule rule = {});
  Patch<std::string> string_patch(std::string_view name, StringRule rule = {});
  std::optional<std::string> uuid(std::string_view name, bool required = true);
  Patch<std::string> uuid_patch(std::string_view name);
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max,
                                      bool required = true);
  std::optional<bool> boolean(std::string_view name, bool required = true);
  std::optional<std::string> one_of(std::string_view name, std::initializer_list<std::string_view> values,
                                    bool required = true);
  Patch<std::string> one_of_patch(std::string_view name, std::initializer_list<std::string_view> values);
  Patch<std::string> date_patch(std::string_view name);

  bool has(std::string_view name) const { return object_.contains(name); }
  // Fields outside `allowed` are errors (a misspelt field must not be silently ignored).
  void only(std::initializer_list<std::string_view> allowed);
  void error(std::string field, std::string message);
  // Throws a 422 naming every field in error.
  void check() const;
  bool ok() const { return errors_.empty(); }

 private:
  const bj::value* find(std::string_view name) const;
  const bj::object& object_;
  std::vector<FieldError> errors_;
};

}  // namespace collabdev::json
