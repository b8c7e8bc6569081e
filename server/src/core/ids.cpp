#include "core/ids.hpp"

#include "core/json.hpp"
#include "core/problem.hpp"

namespace collabdev::ids {

std::optional<std::string> canonical(std::string_view text) {
  if (!json::is_uuid(text)) {
    return std::nullopt;
  }
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string canonical_or_404(std::string_view text, std::string_view not_found_detail) {
  auto id = canonical(text);
  if (!id) {
    fail(problems::not_found(std::string(not_found_detail)));
  }
  return std::move(*id);
}

}  // namespace collabdev::ids
