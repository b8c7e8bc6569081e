#pragma once
// Ids as the server compares them: UUIDs in one spelling, lower case. Every id that comes from a
// path, a query or a body is canonicalised once where it enters, so that SQL, channel names and
// events all carry the same text for the same thing.
#include <optional>
#include <string>
#include <string_view>

namespace collabdev::ids {

// The canonical (lower-case) form of a UUID; empty when `text` is not one.
std::optional<std::string> canonical(std::string_view text);

// The canonical form of an id from a URL; a malformed one is 404 with `not_found_detail`, as an
// id that names nothing (a malformed id cannot name anything either).
std::string canonical_or_404(std::string_view text, std::string_view not_found_detail);

}  // namespace collabdev::ids
