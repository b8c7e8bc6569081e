// What each component accepts: its props with their rules, and the style tokens.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "modules/pages/structure.hpp"

namespace collabdev::pages {
namespace {

enum class Kind {
  line,        // one line of text (no line breaks)
  text,        // text that may hold line breaks and tabs
  link_url,    // is_safe_link_url
  image_url,   // is_safe_image_url
  boolean,
  integer,
  choice,      // one of `choices`
  name,        // a form field name: [A-Za-z][A-Za-z0-9_-]*
  anchor,      // an element id: [a-z][a-z0-9-]*
  video_id,    // checked against the provider in check_component
  runs,        // Text: [{text, bold?, italic?, code?, href?}]
  items,       // List: [string]
  options,     // Select: [{value, label}]
};

struct Prop {
  std::string_view name;
  Kind kind;
  bool required = false;
  std::size_t max = 200;  // characters, or the largest integer, or the most array entries
  std::int64_t min = 0;   // the smallest integer, or the fewest characters
  std::span<const std::string_view> choices = {};
};

constexpr std::string_view directions[] = {"row", "column"};
constexpr std::string_view button_kinds[] = {"link", "submit"};
constexpr std::string_view button_variants[] = {"primary", "secondary", "ghost"};
constexpr std::string_view methods[] = {"get", "post"};
constexpr std::string_view input_types[] = {"text", "email", "password", "number", "tel", "url", "search", "date"};
constexpr std::string_view providers[] = {"youtube", "vimeo"};
constexpr std::string_view languages[] = {"plaintext", "bash", "c", "cpp", "css", "go", "html", "java",
                                          "javascript", "json", "jsx", "markdown", "python", "rust", "sql",
                                          "tsx", "typescript", "yaml"};
constexpr std::string_view spacing[] = {"0", "1", "2", "3", "4", "5", "6", "8", "10", "12", "16"};

constexpr Prop page_props[] = {{"title", Kind::line, true, 200, 1}, {"description", Kind::line, false, 500}};
constexpr Prop section_props[] = {{"anchor", Kind::anchor, false, 64, 1}};
constexpr Prop container_props[] = {{"anchor", Kind::anchor, false, 64, 1}};
constexpr Prop stack_props[] = {{"direction", Kind::choice, false, 0, 0, directions}, {"wrap", Kind::boolean}};
constexpr Prop grid_props[] = {{"columns", Kind::integer, false, 12, 1}};
constexpr Prop spacer_props[] = {{"size", Kind::choice, false, 0, 0, spacing}};
constexpr Prop heading_props[] = {{"level", Kind::integer, true, 6, 1}, {"text", Kind::line, true, 500, 1},
                                  {"anchor", Kind::anchor, false, 64, 1}};
constexpr Prop text_props[] = {{"runs", Kind::runs, true, 200, 1}};
constexpr Prop link_props[] = {{"text", Kind::line, true, 500, 1}, {"href", Kind::link_url, true, 2048, 1},
                               {"newTab", Kind::boolean}};
constexpr Prop button_props[] = {{"text", Kind::line, true, 200, 1},
                                 {"kind", Kind::choice, true, 0, 0, button_kinds},
                                 {"href", Kind::link_url, false, 2048, 1},
                                 {"variant", Kind::choice, false, 0, 0, button_variants}};
constexpr Prop image_props[] = {{"src", Kind::image_url, true, 2048, 1}, {"alt", Kind::line, true, 500, 1},
                                {"width", Kind::integer, true, 4096, 1}, {"height", Kind::integer, true, 4096, 1}};
constexpr Prop list_props[] = {{"ordered", Kind::boolean}, {"items", Kind::items, true, 200, 1}};
constexpr Prop quote_props[] = {{"text", Kind::text, true, 5000, 1}, {"cite", Kind::line, false, 200, 1}};
constexpr Prop code_props[] = {{"code", Kind::text, true, 50000, 0}, {"language", Kind::choice, true, 0, 0, languages}};
constexpr Prop form_props[] = {{"action", Kind::link_url, false, 2048, 1}, {"method", Kind::choice, false, 0, 0, methods}};
constexpr Prop input_props[] = {{"name", Kind::name, true, 64, 1}, {"label", Kind::line, true, 200, 1},
                                {"inputType", Kind::choice, false, 0, 0, input_types},
                                {"placeholder", Kind::line, false, 200}, {"required", Kind::boolean}};
constexpr Prop textarea_props[] = {{"name", Kind::name, true, 64, 1}, {"label", Kind::line, true, 200, 1},
                                   {"placeholder", Kind::line, false, 200}, {"rows", Kind::integer, false, 50, 1},
                                   {"required", Kind::boolean}};
constexpr Prop select_props[] = {{"name", Kind::name, true, 64, 1}, {"label", Kind::line, true, 200, 1},
                                 {"options", Kind::options, true, 200, 1}, {"required", Kind::boolean}};
constexpr Prop checkbox_props[] = {{"name", Kind::name, true, 64, 1}, {"label", Kind::line, true, 200, 1},
                                   {"checked", Kind::boolean}, {"required", Kind::boolean}};
constexpr Prop embed_props[] = {{"provider", Kind::choice, true, 0, 0, providers},
                                {"videoId", Kind::video_id, true, 20, 1}, {"title", Kind::line, true, 200, 1}};

struct Spec {
  std::string_view name;
  bool container;
  std::span<const Prop> props;
};

constexpr std::array<Spec, component_count> specs = {{
    {"Page", true, page_props},
    {"Section", true, section_props},
    {"Container", true, container_props},
    {"Stack", true, stack_props},
    {"Grid", true, grid_props},
    {"Spacer", false, spacer_props},
    {"Divider", false, {}},
    {"Heading", false, heading_props},
    {"Text", false, text_props},
    {"Link", false, link_props},
    {"Button", false, button_props},
    {"Image", false, image_props},
    {"List", false, list_props},
    {"Quote", false, quote_props},
    {"CodeBlock", false, code_props},
    {"Form", true, form_props},
    {"Input", false, input_props},
    {"Textarea", false, textarea_props},
    {"Select", false, select_props},
    {"Checkbox", false, checkbox_props},
    {"Embed", false, embed_props},
}};

const Spec& spec_of(Component c) { return specs[static_cast<std::size_t>(c)]; }

[[noreturn]] void fail(ErrorCode code, const std::string& path, const std::string& message) {
  throw PageError(code, path, path + ": " + message);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (d & 0x3F);
    }
    const std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Text a user typed: valid UTF-8, no NUL or other control characters (line breaks and tabs only
// where `multiline`), within `min`..`max` characters.
std::string read_text(const bj::value& v, const Prop& p, bool multiline, const std::string& path) {
  if (!v.is_string()) {
    fail(ErrorCode::invalid_value, path, "must be a string");
  }
  const std::string_view s = v.as_string();
  if (!valid_utf8(s)) {
    fail(ErrorCode::invalid_value, path, "must be valid UTF-8");
  }
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7F) {
      fail(ErrorCode::invalid_value, path, multiline ? "must not hold control characters" : "must be one line without control characters");
    }
  }
  // Characters, as varchar(n) counts them: every byte but UTF-8 continuation bytes.
  const auto length = static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
  if (length < static_cast<std::size_t>(p.min)) {
    fail(ErrorCode::invalid_value, path, p.min == 1 ? "must not be empty" : "is too short");
  }
  if (length > p.max) {
    fail(ErrorCode::invalid_value, path, "must be at most " + std::to_string(p.max) + " characters");
  }
  return std::string(s);
}

bool matches(std::string_view s, bool (*first)(char), bool (*rest)(char)) {
  if (s.empty() || !first(s[0])) {
    return false;
  }
  return std::all_of(s.begin() + 1, s.end(), rest);
}
bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool letter(char c) { return lower(c) || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool id_char(char c) { return letter(c) || digit(c) || c == '_' || c == '-'; }
bool anchor_char(char c) { return lower_or_digit(c) || c == '-'; }

bj::value read_prop(const Prop& p, const bj::value& v, const std::string& path) {
  switch (p.kind) {
    case Kind::line:
      return bj::string(read_text(v, p, false, path));
    case Kind::text:
      return bj::string(read_text(v, p, true, path));
    case Kind::link_url:
    case Kind::image_url: {
      const auto s = read_text(v, p, false, path);
      const bool ok = p.kind == Kind::link_url ? is_safe_link_url(s) : is_safe_image_url(s);
      if (!ok) {
        fail(ErrorCode::unsafe_url, path,
             p.kind == Kind::link_url ? "must be an http, https, mailto or tel URL, a relative path or a #anchor"
                                      : "must be an http or https URL or a path starting with /");
      }
      return bj::string(s);
    }
    case Kind::boolean:
      if (!v.is_bool()) {
        fail(ErrorCode::invalid_value, path, "must be true or false");
      }
      return v.as_bool();
    case Kind::integer: {
      if (!v.is_int64() && !v.is_uint64()) {
        fail(ErrorCode::invalid_value, path, "must be an integer");
      }
      const bool in_range = v.is_int64() ? v.as_int64() >= p.min && v.as_int64() <= static_cast<std::int64_t>(p.max)
                                         : v.as_uint64() <= p.max;
      if (!in_range) {
        fail(ErrorCode::invalid_value, path,
             "must be between " + std::to_string(p.min) + " and " + std::to_string(p.max));
      }
      return v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
    }
    case Kind::choice: {
      if (!v.is_string() || std::find(p.choices.begin(), p.choices.end(), std::string_view(v.as_string())) ==
                                p.choices.end()) {
        std::string list;
        for (const auto c : p.choices) {
          list += (list.empty() ? "" : ", ") + std::string(c);
        }
        fail(ErrorCode::invalid_value, path, "must be one of " + list);
      }
      return v;
    }
    case Kind::name: {
      const auto s = read_text(v, p, false, path);
      if (!matches(s, letter, id_char)) {
        fail(ErrorCode::invalid_value, path, "must start with a letter and hold only letters, digits, _ and -");
      }
      return bj::string(s);
    }
    case Kind::anchor: {
      const auto s = read_text(v, p, false, path);
      if (!matches(s, lower, anchor_char)) {
        fail(ErrorCode::invalid_value, path, "must start with a lower-case letter and hold only a-z, 0-9 and -");
      }
      return bj::string(s);
    }
    case Kind::video_id:
      return bj::string(read_text(v, p, false, path));
    case Kind::runs: {
      if (!v.is_array()) {
        fail(ErrorCode::invalid_value, path, "must be an array of runs");
      }
      const auto& a = v.as_array();
      if (a.empty() || a.size() > p.max) {
        fail(ErrorCode::invalid_value, path, "must hold 1 to " + std::to_string(p.max) + " runs");
      }
      constexpr Prop run_text{"text", Kind::text, true, 5000, 1};
      constexpr Prop run_href{"href", Kind::link_url, false, 2048, 1};
      bj::array out;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto at = path + "." + std::to_string(i);
        if (!a[i].is_object()) {
          fail(ErrorCode::invalid_value, at, "must be an object");
        }
        const auto& run = a[i].as_object();
        bj::object r;
        for (const auto& [key, value] : run) {
          if (key != "text" && key != "bold" && key != "italic" && key != "code" && key != "href") {
            fail(ErrorCode::invalid_value, at + "." + std::string(key), "is not a field of a run");
          }
        }
        const auto* text = run.if_contains("text");
        if (text == nullptr) {
          fail(ErrorCode::invalid_value, at + ".text", "is required");
        }
        r["text"] = read_prop(run_text, *text, at + ".text");
        for (const std::string_view flag : {"bold", "italic", "code"}) {
          if (const auto* f = run.if_contains(flag)) {
            if (!f->is_bool()) {
              fail(ErrorCode::invalid_value, at + "." + std::string(flag), "must be true or false");
            }
            if (f->as_bool()) {
              r[flag] = true;
            }
          }
        }
        if (const auto* href = run.if_contains("href")) {
          r["href"] = read_prop(run_href, *href, at + ".href");
        }
        out.push_back(std::move(r));
      }
      return out;
    }
    case Kind::items: {
      if (!v.is_array() || v.as_array().empty() || v.as_array().size() > p.max) {
        fail(ErrorCode::invalid_value, path, "must be an array of 1 to " + std::to_string(p.max) + " strings");
      }
      constexpr Prop item{"item", Kind::line, true, 1000, 1};
      bj::array out;
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        out.push_back(read_prop(item, v.as_array()[i], path + "." + std::to_string(i)));
      }
      return out;
    }
    case Kind::options: {
      if (!v.is_array() || v.as_array().empty() || v.as_array().size() > p.max) {
        fail(ErrorCode::invalid_value, path, "must be an array of 1 to " + std::to_string(p.max) + " options");
      }
      constexpr Prop part{"option", Kind::line, true, 200, 0};
      bj::array out;
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        const auto at = path + "." + std::to_string(i);
        const auto& o = v.as_array()[i];
        if (!o.is_object() || o.as_object().size() != 2 || !o.as_object().contains("value") ||
            !o.as_object().contains("label")) {
          fail(ErrorCode::invalid_value, at, "must be an object with value and label");
        }
        bj::object option;
        option["value"] = read_prop(part, o.as_object().at("value"), at + ".value");
        option["label"] = read_prop(Prop{"label", Kind::line, true, 200, 1}, o.as_object().at("label"), at + ".label");
        out.push_back(std::move(option));
      }
      return out;
    }
  }
  fail(ErrorCode::invalid_value, path, "has no rule");
}

// Rules that tie props together.
void check_component(Component c, const bj::object& props, const std::string& path) {
  if (c == Component::Button) {
    const bool link = props.at("kind").as_string() == "link";
    if (link && !props.contains("href")) {
      fail(ErrorCode::invalid_value, path + ".href", "is required for a link button");
    }
    if (!link && props.contains("href")) {
      fail(ErrorCode::invalid_value, path + ".href", "is only for a link button");
    }
  }
  if (c == Component::Embed) {
    const std::string_view id = props.at("videoId").as_string();
    const bool youtube = props.at("provider").as_string() == "youtube";
    const bool ok = youtube ? id.size() == 11 && std::all_of(id.begin(), id.end(), id_char)
                            : id.size() <= 12 && std::all_of(id.begin(), id.end(), digit);
    if (!ok) {
      fail(ErrorCode::invalid_value, path + ".videoId",
           youtube ? "must be a YouTube video id (11 of A-Z, a-z, 0-9, _ and -)" : "must be a Vimeo video id (digits)");
    }
  }
}

struct StyleKey {
  std::string_view name;
  std::span<const std::string_view> tokens;
  Component only = Component::Page;  // Page: any component
};

constexpr std::string_view colours[] = {"text", "muted", "primary", "accent", "danger", "success",
                                        "surface", "background", "inverse", "transparent"};
constexpr std::string_view font_sizes[] = {"xs", "sm", "base", "lg", "xl", "2xl", "3xl", "4xl", "5xl"};
constexpr std::string_view font_weights[] = {"normal", "medium", "semibold", "bold"};
constexpr std::string_view text_aligns[] = {"start", "center", "end"};
constexpr std::string_view align_items[] = {"start", "center", "end", "stretch", "baseline"};
constexpr std::string_view justify[] = {"start", "center", "end", "between", "around"};
constexpr std::string_view widths[] = {"auto", "full", "narrow", "prose", "wide"};
constexpr std::string_view radii[] = {"none", "sm", "md", "lg", "full"};
constexpr std::string_view column_counts[] = {"1", "2", "3", "4", "5", "6", "12"};

constexpr StyleKey style_keys[] = {
    {"padding", spacing},         {"paddingX", spacing},        {"paddingY", spacing},
    {"marginY", spacing},         {"gap", spacing},             {"color", colours},
    {"background", colours},      {"fontSize", font_sizes},     {"fontWeight", font_weights},
    {"textAlign", text_aligns},   {"alignItems", align_items},  {"justifyContent", justify},
    {"width", widths},            {"radius", radii},            {"columns", column_counts, Component::Grid},
    {"direction", directions, Component::Stack},
};

}  // namespace

std::string_view error_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::unknown_type: return "unknown_type";
    case ErrorCode::invalid_value: return "invalid_value";
    case ErrorCode::unsafe_url: return "unsafe_url";
    case ErrorCode::too_many_nodes: return "too_many_nodes";
    case ErrorCode::too_deep: return "too_deep";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::id_taken: return "id_taken";
    case ErrorCode::into_own_subtree: return "into_own_subtree";
    case ErrorCode::not_a_container: return "not_a_container";
    case ErrorCode::root_fixed: return "root_fixed";
    case ErrorCode::invalid_route: return "invalid_route";
  }
  return "malformed";
}

std::string_view component_name(Component c) { return spec_of(c).name; }

bool parse_component(std::string_view name, Component& out) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) {
      out = static_cast<Component>(i);
      return true;
    }
  }
  return false;
}

bool is_container(Component c) { return spec_of(c).container; }

bool is_node_id(std::string_view id) {
  return !id.empty() && id.size() <= max_id_length && std::all_of(id.begin(), id.end(), id_char);
}

bj::object validate_props(Component c, const bj::value& props, const std::string& path) {
  if (!props.is_object()) {
    fail(ErrorCode::invalid_value, path, "must be an object");
  }
  const auto& in = props.as_object();
  const auto& spec = spec_of(c);
  for (const auto& [key, value] : in) {
    const std::string_view name = key;  // clang 14 cannot capture a structured binding
    const bool known = std::any_of(spec.props.begin(), spec.props.end(), [&](const Prop& p) { return p.name == name; });
    if (!known) {
      fail(ErrorCode::invalid_value, path + "." + std::string(key),
           "is not a prop of " + std::string(spec.name));
    }
  }
  bj::object out;
  for (const auto& p : spec.props) {
    const auto* v = in.if_contains(p.name);
    const auto at = path + "." + std::string(p.name);
    if (v == nullptr || v->is_null()) {
      if (p.required) {
        fail(ErrorCode::invalid_value, at, "is required");
      }
      continue;
    }
    out[p.name] = read_prop(p, *v, at);
  }
  check_component(c, out, path);
  return out;
}

bj::object validate_style(Component c, const bj::value& style, const std::string& path) {
  if (!style.is_object()) {
    fail(ErrorCode::invalid_value, path, "must be an object");
  }
  const auto& in = style.as_object();
  for (const auto& [key, value] : in) {
    if (key != "base" && key != "md" && key != "lg") {
      fail(ErrorCode::invalid_value, path + "." + std::string(key), "is not a breakpoint (base, md, lg)");
    }
  }
  bj::object out;
  for (const std::string_view breakpoint : {"base", "md", "lg"}) {
    const auto* b = in.if_contains(breakpoint);
    if (b == nullptr || b->is_null()) {
      continue;
    }
    const auto at = path + "." + std::string(breakpoint);
    if (!b->is_object()) {
      fail(ErrorCode::invalid_value, at, "must be an object");
    }
    for (const auto& [key, value] : b->as_object()) {
      const std::string_view name = key;
      const auto known = std::find_if(std::begin(style_keys), std::end(style_keys),
                                      [&](const StyleKey& k) { return k.name == name; });
      if (known == std::end(style_keys) || (known->only != Component::Page && known->only != c)) {
        fail(ErrorCode::invalid_value, at + "." + std::string(key), "is not a style of " + std::string(spec_of(c).name));
      }
    }
    bj::object tokens;
    for (const auto& k : style_keys) {
      const auto* v = b->as_object().if_contains(k.name);
      if (v == nullptr || v->is_null()) {
        continue;
      }
      tokens[k.name] = read_prop(Prop{k.name, Kind::choice, false, 0, 0, k.tokens}, *v, at + "." + std::string(k.name));
    }
    if (!tokens.empty()) {
      out[breakpoint] = std::move(tokens);
    }
  }
  return out;
}

}  // namespace collabdev::pages
