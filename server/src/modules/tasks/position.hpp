#pragma once
// Ordering of tasks inside a column: gapped integer positions, so that a move writes one row.
// A moved task takes a value between its new neighbours; only when no integer is left between
// them (or a value would leave the range a JavaScript number holds exactly) is the column
// renumbered, which is rare.
#include <cstdint>
#include <optional>

namespace collabdev::tasks {

// Distance between neighbours after a renumbering and when appending or prepending: 16 halvings
// fit in one gap before a renumbering is needed.
inline constexpr std::int64_t position_step = 65536;
// Positions stay within ±(2^53 − 1) so that browsers read them exactly as JSON numbers.
inline constexpr std::int64_t max_safe_position = (std::int64_t{1} << 53) - 1;

// The position for an item placed after `prev` and before `next` (either may be absent: start or
// end of the column, or an empty column). Empty when the column must be renumbered first.
std::optional<std::int64_t> position_between(std::optional<std::int64_t> prev, std::optional<std::int64_t> next);

// The position of the item at `index` after renumbering a column whose other items are placed at
// 0, step, 2·step, ... with a slot left at `index`.
constexpr std::int64_t renumbered_position(std::int64_t index) { return index * position_step; }

}  // namespace collabdev::tasks
