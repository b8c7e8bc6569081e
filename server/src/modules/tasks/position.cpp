#include "modules/tasks/position.hpp"

namespace collabdev::tasks {

namespace {
bool safe(std::int64_t p) { return p >= -max_safe_position && p <= max_safe_position; }
}  // namespace

std::optional<std::int64_t> position_between(std::optional<std::int64_t> prev, std::optional<std::int64_t> next) {
  // Out-of-range neighbours (written by an older version, or by hand) force a renumbering, which
  // brings every position back into range.
  if ((prev && !safe(*prev)) || (next && !safe(*next))) {
    return std::nullopt;
  }
  if (!prev && !next) {
    return 0;
  }
  if (!next) {
    const std::int64_t p = *prev + position_step;  // cannot overflow: |prev| < 2^53
    return safe(p) ? std::optional(p) : std::nullopt;
  }
  if (!prev) {
    const std::int64_t p = *next - position_step;
    return safe(p) ? std::optional(p) : std::nullopt;
  }
  if (*next - *prev < 2) {
    return std::nullopt;  // adjacent or out of order: no integer strictly between
  }
  return *prev + (*next - *prev) / 2;
}

}  // namespace collabdev::tasks
