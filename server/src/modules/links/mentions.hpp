#pragma once
// Task mentions in chat text: `#42` names task number 42 of the message's project.
#include <cstdint>
#include <string_view>
#include <vector>

namespace collabdev::links {

// At most this many distinct tasks per message; later mentions are ignored.
inline constexpr std::size_t max_mentions = 50;

// The distinct task numbers `text` mentions, in order of first appearance. A mention is '#'
// followed by 1 to 9 digits, not preceded by a letter, digit, '_', '#', '&' or '/' (so "a#1",
// "&#39;" and "page/#2" are not mentions) and not followed by a letter, digit or '_'.
std::vector<std::int64_t> parse_mentions(std::string_view text);

}  // namespace collabdev::links
