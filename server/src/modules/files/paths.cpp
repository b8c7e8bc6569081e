#include "modules/files/paths.hpp"

#include <cstdlib>
#include <memory>
#include <utility>

#include <utf8proc.h>

namespace collabdev::files {

namespace {

// Runs utf8proc_map; empty when the text is not UTF-8.
std::optional<std::string> map_utf8(std::string_view s, int options) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                              static_cast<utf8proc_ssize_t>(s.size()), &out,
                              static_cast<utf8proc_option_t>(options));
  if (n < 0) {
    return std::nullopt;
  }
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// C0 controls (NUL included), DEL and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F).
bool has_control(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      return true;
    }
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string extension_of(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return {};
  }
  return lower_ascii(name.substr(dot + 1));
}

}  // namespace

PathCheck check_path(std::string_view raw) {
  if (raw.empty()) {
    return {std::nullopt, "must not be empty"};
  }
  if (has_control(raw)) {
    return {std::nullopt, "must not contain NUL or other control characters"};
  }
  if (raw.find('\\') != std::string_view::npos) {
    return {std::nullopt, "must not contain a backslash (use '/')"};
  }
  auto nfc = map_utf8(raw, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (!nfc) {
    return {std::nullopt, "must be valid UTF-8"};
  }
  const std::string& path = *nfc;
  if (path.front() == '/') {
    return {std::nullopt, "must be relative (no leading '/')"};
  }
  if (path.size() > max_path_bytes) {
    return {std::nullopt, "must be at most 512 bytes long"};
  }
  std::string_view rest = path;
  std::string_view name;
  for (;;) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (segment.empty()) {
      return {std::nullopt, "must not have empty segments ('//' or a trailing '/')"};
    }
    if (segment == ".") {
      return {std::nullopt, "must not have '.' segments"};
    }
    if (segment == "..") {
      return {std::nullopt, "must not have '..' segments"};
    }
    if (segment.size() > max_name_bytes) {
      return {std::nullopt, "must have names of at most 255 bytes"};
    }
    name = segment;
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  CheckedPath checked;
  checked.name = std::string(name);
  checked.key = path_key(path);
  checked.path = std::move(*nfc);
  return {std::move(checked), {}};
}

std::string path_key(std::string_view nfc_path) {
  auto folded = map_utf8(nfc_path, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  return folded ? std::move(*folded) : std::string(nfc_path);
}

std::optional<std::string> language_of(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> languages[] = {
      {"ts", "typescript"}, {"mts", "typescript"}, {"cts", "typescript"}, {"tsx", "tsx"},
      {"js", "javascript"}, {"mjs", "javascript"}, {"cjs", "javascript"}, {"jsx", "jsx"},
      {"json", "json"},     {"css", "css"},        {"html", "html"},      {"htm", "html"},
      {"md", "markdown"},   {"markdown", "markdown"}, {"py", "python"},   {"cpp", "cpp"},
      {"cc", "cpp"},        {"cxx", "cpp"},        {"h", "cpp"},          {"hpp", "cpp"},
      {"hh", "cpp"},        {"c", "c"},            {"rs", "rust"},        {"sql", "sql"},
      {"yaml", "yaml"},     {"yml", "yaml"},       {"svg", "svg"},        {"xml", "xml"},
      {"sh", "shell"},      {"go", "go"},          {"java", "java"},      {"txt", "text"},
      {"toml", "toml"},     {"svelte", "svelte"},  {"vue", "vue"},        {"scss", "scss"},
  };
  const auto ext = extension_of(name);
  for (const auto& [e, language] : languages) {
    if (ext == e) {
      return std::string(language);
    }
  }
  return std::nullopt;
}

bool is_asset_name(std::string_view name) {
  const auto ext = extension_of(name);
  for (std::string_view e : {"svg", "json", "md", "markdown", "txt", "csv", "xml"}) {
    if (ext == e) {
      return true;
    }
  }
  return false;
}

RawType raw_type_of(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {"js", "text/javascript"},  {"mjs", "text/javascript"}, {"cjs", "text/javascript"},
      {"json", "application/json"}, {"css", "text/css"},      {"html", "text/html"},
      {"htm", "text/html"},       {"md", "text/markdown"},    {"markdown", "text/markdown"},
      {"svg", "image/svg+xml"},   {"xml", "application/xml"}, {"yaml", "application/yaml"},
      {"yml", "application/yaml"}, {"sql", "application/sql"}, {"csv", "text/csv"},
      {"py", "text/x-python"},    {"cpp", "text/x-c++src"},   {"cc", "text/x-c++src"},
      {"cxx", "text/x-c++src"},   {"hpp", "text/x-c++hdr"},   {"hh", "text/x-c++hdr"},
      {"h", "text/x-chdr"},       {"c", "text/x-csrc"},       {"rs", "text/x-rust"},
  };
  const auto ext = extension_of(name);
  std::string type = "text/plain";
  for (const auto& [e, t] : types) {
    if (ext == e) {
      type = t;
      break;
    }
  }
  // Shown inline only as inert text: HTML, SVG, XML and anything not text/* is downloaded.
  const bool inert = type.starts_with("text/") && type != "text/html";
  return {type + "; charset=utf-8", !inert};
}

std::string attachment_header(std::string_view name) {
  std::string ascii;
  std::string encoded;
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    ascii.push_back(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? ch : '_');
    if (plain) {
      encoded.push_back(ch);
    } else {
      encoded.push_back('%');
      encoded.push_back(hex[c >> 4]);
      encoded.push_back(hex[c & 0xF]);
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

std::string normalise_line_endings(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace collabdev::files
