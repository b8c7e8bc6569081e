#pragma once
// What a file's path may be, and what its name says: the path rules (one message per rule, for a
// 422 naming `path`), the NFC form stored and the case-folded key that keeps paths unique on
// case-insensitive file systems, the language and the media type from the extension.
#include <optional>
#include <string>
#include <string_view>

namespace collabdev::files {

inline constexpr std::size_t max_path_bytes = 512;
inline constexpr std::size_t max_name_bytes = 255;

struct CheckedPath {
  std::string path;   // NFC
  std::string key;    // NFC, full Unicode case folding: unique per project
  std::string name;   // the last segment
};

// The path in its stored form, or the rule it breaks (`error`), checked after NFC: relative, no
// empty, "." or ".." segment, no NUL or other control character, no backslash, at most 512 bytes
// and 255 bytes per segment.
struct PathCheck {
  std::optional<CheckedPath> ok;
  std::string error;
};
PathCheck check_path(std::string_view raw);

// The key of a stored path (for a path that already passed check_path).
std::string path_key(std::string_view nfc_path);

// "typescript", "python", ... from the name's extension; empty when not known.
std::optional<std::string> language_of(std::string_view name);
// Files that are data or documents rather than code (svg, json, md, ...): ASSET by default.
bool is_asset_name(std::string_view name);

// How GET .../raw serves a file: its media type, and whether a browser must download it rather
// than show it (anything but plain text: HTML, SVG and XML could run script on our origin).
struct RawType {
  std::string content_type;  // with "; charset=utf-8"
  bool attachment = true;
};
RawType raw_type_of(std::string_view name);

// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266/8187).
std::string attachment_header(std::string_view name);

// "\r\n" and lone "\r" as "\n": the one line ending the server stores (docs/collaboration.md).
std::string normalise_line_endings(std::string_view text);

}  // namespace collabdev::files
