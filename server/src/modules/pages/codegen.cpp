#include "modules/pages/codegen.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace collabdev::pages {
namespace {

using Declarations = std::vector<std::string>;

std::string hex4(unsigned value) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "\\u%04X", value);
  return buf.data();
}

// Text for a comment: one line, no comment terminator, no control characters.
std::string comment_text(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out += ' ';
    } else if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += ' ';
      i += 2;
    } else if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "* ";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string str(const bj::object& props, std::string_view key) {
  const auto* v = props.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool flag(const bj::object& props, std::string_view key) {
  const auto* v = props.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

std::int64_t number(const bj::object& props, std::string_view key, std::int64_t fallback) {
  const auto* v = props.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : fallback;
}

std::string lower_name(Component c) {
  std::string out;
  for (const char ch : component_name(c)) {
    out += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  return out;
}

// --- Design tokens -------------------------------------------------------------------------------

constexpr std::pair<std::string_view, std::string_view> colour_values[] = {
    {"text", "#111827"},     {"muted", "#4b5563"},   {"primary", "#1d4ed8"},    {"accent", "#6d28d9"},
    {"danger", "#b91c1c"},   {"success", "#15803d"}, {"surface", "#f3f4f6"},    {"background", "#ffffff"},
    {"inverse", "#f9fafb"},  {"transparent", "transparent"},
};
constexpr std::pair<std::string_view, std::string_view> font_size_values[] = {
    {"xs", "0.75rem"}, {"sm", "0.875rem"}, {"base", "1rem"},     {"lg", "1.125rem"}, {"xl", "1.25rem"},
    {"2xl", "1.5rem"}, {"3xl", "1.875rem"}, {"4xl", "2.25rem"}, {"5xl", "3rem"},
};
constexpr std::string_view spacing_steps[] = {"0", "1", "2", "3", "4", "5", "6", "8", "10", "12", "16"};

std::string tokens_block() {
  std::string out;
  for (const auto step : spacing_steps) {
    const double rem = std::stoi(std::string(step)) * 0.25;
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%g", rem);
    out += "  --space-" + std::string(step) + ": " + (step == "0" ? std::string("0") : std::string(buf.data()) + "rem") + ";\n";
  }
  for (const auto& [name, value] : colour_values) {
    out += "  --color-" + std::string(name) + ": " + std::string(value) + ";\n";
  }
  for (const auto& [name, value] : font_size_values) {
    out += "  --font-size-" + std::string(name) + ": " + std::string(value) + ";\n";
  }
  return out;
}

std::string flex_value(std::string_view token) {
  if (token == "start") return "flex-start";
  if (token == "end") return "flex-end";
  if (token == "between") return "space-between";
  if (token == "around") return "space-around";
  return std::string(token);
}

// Style keys are validated tokens (validate_style), so each maps to fixed CSS text.
void add_token(Declarations& out, std::string_view key, std::string_view token) {
  const std::string t(token);
  if (key == "padding") out.push_back("padding: var(--space-" + t + ")");
  else if (key == "paddingX") out.push_back("padding-inline: var(--space-" + t + ")");
  else if (key == "paddingY") out.push_back("padding-block: var(--space-" + t + ")");
  else if (key == "marginY") out.push_back("margin-block: var(--space-" + t + ")");
  else if (key == "gap") out.push_back("gap: var(--space-" + t + ")");
  else if (key == "color") out.push_back("color: var(--color-" + t + ")");
  else if (key == "background") out.push_back("background-color: var(--color-" + t + ")");
  else if (key == "fontSize") out.push_back("font-size: var(--font-size-" + t + ")");
  else if (key == "fontWeight") {
    out.push_back(std::string("font-weight: ") +
                  (t == "normal" ? "400" : t == "medium" ? "500" : t == "semibold" ? "600" : "700"));
  } else if (key == "textAlign") out.push_back("text-align: " + t);
  else if (key == "alignItems") out.push_back("align-items: " + flex_value(t));
  else if (key == "justifyContent") out.push_back("justify-content: " + flex_value(t));
  else if (key == "width") {
    if (t == "auto") {
      out.push_back("width: auto");
    } else {
      out.push_back("width: 100%");
      if (t != "full") {
        out.push_back(std::string("max-width: ") + (t == "narrow" ? "24rem" : t == "prose" ? "65ch" : "72rem"));
      }
    }
  } else if (key == "radius") {
    out.push_back(std::string("border-radius: ") +
                  (t == "none" ? "0" : t == "sm" ? "0.25rem" : t == "md" ? "0.5rem" : t == "lg" ? "1rem" : "9999px"));
  } else if (key == "columns") out.push_back("grid-template-columns: repeat(" + t + ", minmax(0, 1fr))");
  else if (key == "direction") out.push_back("flex-direction: " + t);
}

// What a component needs before any token (its props shape it).
Declarations base_declarations(const Node& n) {
  Declarations d;
  switch (n.type) {
    case Component::Stack:
      d.push_back("display: flex");
      d.push_back("flex-direction: " + (n.props.contains("direction") ? str(n.props, "direction") : std::string("column")));
      if (flag(n.props, "wrap")) {
        d.push_back("flex-wrap: wrap");
      }
      break;
    case Component::Grid:
      d.push_back("display: grid");
      d.push_back("grid-template-columns: repeat(" + std::to_string(number(n.props, "columns", 1)) + ", minmax(0, 1fr))");
      break;
    case Component::Spacer:
      d.push_back("block-size: var(--space-" + (n.props.contains("size") ? str(n.props, "size") : std::string("4")) + ")");
      break;
    case Component::Text:
    case Component::Quote:
      d.push_back("white-space: pre-line");
      break;
    case Component::CodeBlock:
      d.push_back("overflow-x: auto");
      break;
    case Component::Image:
      d.push_back("max-width: 100%");
      d.push_back("height: auto");
      break;
    case Component::Embed:
      d.push_back("width: 100%");
      d.push_back("aspect-ratio: 16 / 9");
      d.push_back("border: 0");
      break;
    case Component::Input:
    case Component::Textarea:
    case Component::Select:
      d.push_back("display: flex");
      d.push_back("flex-direction: column");
      d.push_back("gap: var(--space-1)");
      break;
    case Component::Checkbox:
      d.push_back("display: flex");
      d.push_back("align-items: center");
      d.push_back("gap: var(--space-2)");
      break;
    case Component::Button: {
      const auto variant = n.props.contains("variant") ? str(n.props, "variant") : std::string("primary");
      d.push_back("display: inline-block");
      d.push_back("padding: var(--space-2) var(--space-4)");
      d.push_back("border-radius: 0.375rem");
      d.push_back("text-decoration: none");
      d.push_back(variant == "ghost" ? "border: 1px solid var(--color-primary)" : "border: 0");
      d.push_back(variant == "primary"     ? "background-color: var(--color-primary)"
                  : variant == "secondary" ? "background-color: var(--color-surface)"
                                           : "background-color: transparent");
      d.push_back(variant == "primary" ? "color: var(--color-background)"
                  : variant == "secondary" ? "color: var(--color-text)"
                                           : "color: var(--color-primary)");
      break;
    }
    default:
      break;
  }
  return d;
}

Declarations token_declarations(const Node& n, std::string_view breakpoint) {
  Declarations d;
  if (const auto* tokens = n.style.if_contains(breakpoint)) {
    for (const auto& [key, token] : tokens->as_object()) {
      add_token(d, key, token.as_string());
    }
  }
  return d;
}

std::string rule(std::string_view selector, const Declarations& d, std::string_view indent) {
  std::string out = std::string(indent) + "." + std::string(selector) + " {\n";
  for (const auto& line : d) {
    out += std::string(indent) + "  " + line + ";\n";
  }
  return out + std::string(indent) + "}\n";
}

// --- The component -------------------------------------------------------------------------------

class Writer {
 public:
  explicit Writer(const Structure& s) : s_(s) {}

  std::string class_of(const Node& n) const {
    return n.id == s_.root_id() ? "page" : lower_name(n.type) + "_" + n.id;
  }
  bool has_class(const Node& n) const {
    return n.id == s_.root_id() || !base_declarations(n).empty() || !n.style.empty();
  }
  std::string class_attr(const Node& n) const {
    return has_class(n) ? " className={styles[" + js_string(class_of(n)) + "]}" : "";
  }

  bool uses_link = false;
  std::string body;

  void line(int depth, std::string_view text) { body += std::string(static_cast<std::size_t>(depth) * 2, ' ') + std::string(text) + "\n"; }

  // An anchor to `href`: next/link for the site's own pages, <a> for the rest.
  std::pair<std::string, std::string> anchor(const std::string& href, bool new_tab, const std::string& attrs) {
    if (is_internal_url(href) && !new_tab) {
      uses_link = true;
      return {"<Link href={" + js_string(href) + "}" + attrs + ">", "</Link>"};
    }
    const auto target = new_tab ? std::string(" target=\"_blank\" rel=\"noopener noreferrer\"") : std::string();
    return {"<a href={" + js_string(href) + "}" + attrs + target + ">", "</a>"};
  }

  void children(const Node& n, int depth) {
    for (const auto& c : n.children) {
      node(*s_.find(c), depth);
    }
  }

  void container(const Node& n, int depth, std::string_view tag, const std::string& attrs) {
    const auto open = "<" + std::string(tag) + attrs + class_attr(n);
    if (n.children.empty()) {
      line(depth, open + " />");
      return;
    }
    line(depth, open + ">");
    children(n, depth + 1);
    line(depth, "</" + std::string(tag) + ">");
  }

  static std::string opt_attr(const bj::object& props, std::string_view key, std::string_view attr) {
    return props.contains(key) ? " " + std::string(attr) + "={" + js_string(str(props, key)) + "}" : "";
  }

  void node(const Node& n, int depth) {
    const auto& p = n.props;
    const auto cls = class_attr(n);
    switch (n.type) {
      case Component::Page:
        container(n, depth, "main", "");
        break;
      case Component::Section:
        container(n, depth, "section", opt_attr(p, "anchor", "id"));
        break;
      case Component::Container:
        container(n, depth, "div", opt_attr(p, "anchor", "id"));
        break;
      case Component::Stack:
      case Component::Grid:
        container(n, depth, "div", "");
        break;
      case Component::Form:
        container(n, depth, "form", opt_attr(p, "action", "action") + opt_attr(p, "method", "method"));
        break;
      case Component::Spacer:
        line(depth, "<div aria-hidden=\"true\"" + cls + " />");
        break;
      case Component::Divider:
        line(depth, "<hr" + cls + " />");
        break;
      case Component::Heading: {
        const auto tag = "h" + std::to_string(number(p, "level", 2));
        line(depth, "<" + tag + opt_attr(p, "anchor", "id") + cls + ">{" + js_string(str(p, "text")) + "}</" + tag + ">");
        break;
      }
      case Component::Text: {
        line(depth, "<p" + cls + ">");
        for (const auto& r : p.at("runs").as_array()) {
          const auto& run = r.as_object();
          std::string inner = "{" + js_string(str(run, "text")) + "}";
          if (flag(run, "code")) inner = "<code>" + inner + "</code>";
          if (flag(run, "italic")) inner = "<em>" + inner + "</em>";
          if (flag(run, "bold")) inner = "<strong>" + inner + "</strong>";
          if (run.contains("href")) {
            const auto [open, close] = anchor(str(run, "href"), false, "");
            inner = open + inner + close;
          }
          line(depth + 1, inner);
        }
        line(depth, "</p>");
        break;
      }
      case Component::Link: {
        const auto [open, close] = anchor(str(p, "href"), flag(p, "newTab"), cls);
        line(depth, open + "{" + js_string(str(p, "text")) + "}" + close);
        break;
      }
      case Component::Button: {
        const auto text = "{" + js_string(str(p, "text")) + "}";
        if (str(p, "kind") == "submit") {
          line(depth, "<button type=\"submit\"" + cls + ">" + text + "</button>");
        } else {
          const auto [open, close] = anchor(str(p, "href"), false, cls);
          line(depth, open + text + close);
        }
        break;
      }
      case Component::Image:
        line(depth, "<img src={" + js_string(str(p, "src")) + "} alt={" + js_string(str(p, "alt")) + "} width={" +
                        std::to_string(number(p, "width", 1)) + "} height={" + std::to_string(number(p, "height", 1)) +
                        "}" + cls + " />");
        break;
      case Component::List: {
        const std::string tag = flag(p, "ordered") ? "ol" : "ul";
        line(depth, "<" + tag + cls + ">");
        for (const auto& item : p.at("items").as_array()) {
          line(depth + 1, "<li>{" + js_string(item.as_string()) + "}</li>");
        }
        line(depth, "</" + tag + ">");
        break;
      }
      case Component::Quote:
        line(depth, "<blockquote" + cls + ">");
        line(depth + 1, "<p>{" + js_string(str(p, "text")) + "}</p>");
        if (p.contains("cite")) {
          line(depth + 1, "<footer>");
          line(depth + 2, "<cite>{" + js_string(str(p, "cite")) + "}</cite>");
          line(depth + 1, "</footer>");
        }
        line(depth, "</blockquote>");
        break;
      case Component::CodeBlock:
        line(depth, "<pre data-language={" + js_string(str(p, "language")) + "}" + cls + ">");
        line(depth + 1, "<code>{" + js_string(str(p, "code")) + "}</code>");
        line(depth, "</pre>");
        break;
      case Component::Input:
        line(depth, "<label" + cls + ">");
        line(depth + 1, "<span>{" + js_string(str(p, "label")) + "}</span>");
        line(depth + 1, "<input type={" + js_string(p.contains("inputType") ? str(p, "inputType") : "text") +
                            "} name={" + js_string(str(p, "name")) + "}" + opt_attr(p, "placeholder", "placeholder") +
                            (flag(p, "required") ? " required" : "") + " />");
        line(depth, "</label>");
        break;
      case Component::Textarea:
        line(depth, "<label" + cls + ">");
        line(depth + 1, "<span>{" + js_string(str(p, "label")) + "}</span>");
        line(depth + 1, "<textarea name={" + js_string(str(p, "name")) + "}" +
                            (p.contains("rows") ? " rows={" + std::to_string(number(p, "rows", 3)) + "}" : "") +
                            opt_attr(p, "placeholder", "placeholder") + (flag(p, "required") ? " required" : "") + " />");
        line(depth, "</label>");
        break;
      case Component::Select:
        line(depth, "<label" + cls + ">");
        line(depth + 1, "<span>{" + js_string(str(p, "label")) + "}</span>");
        line(depth + 1, "<select name={" + js_string(str(p, "name")) + "}" + (flag(p, "required") ? " required" : "") + ">");
        for (const auto& o : p.at("options").as_array()) {
          line(depth + 2, "<option value={" + js_string(str(o.as_object(), "value")) + "}>{" +
                              js_string(str(o.as_object(), "label")) + "}</option>");
        }
        line(depth + 1, "</select>");
        line(depth, "</label>");
        break;
      case Component::Checkbox:
        line(depth, "<label" + cls + ">");
        line(depth + 1, "<input type=\"checkbox\" name={" + js_string(str(p, "name")) + "}" +
                            (flag(p, "checked") ? " defaultChecked" : "") + (flag(p, "required") ? " required" : "") + " />");
        line(depth + 1, "<span>{" + js_string(str(p, "label")) + "}</span>");
        line(depth, "</label>");
        break;
      case Component::Embed: {
        // The id is validated per provider (letters, digits, _ and - or digits only).
        const auto src = str(p, "provider") == "youtube" ? "https://www.youtube-nocookie.com/embed/" + str(p, "videoId")
                                                         : "https://player.vimeo.com/video/" + str(p, "videoId");
        line(depth, "<iframe src={" + js_string(src) + "} title={" + js_string(str(p, "title")) + "}" + cls +
                        " allow=\"encrypted-media; picture-in-picture; fullscreen\" allowFullScreen loading=\"lazy\""
                        " referrerPolicy=\"strict-origin-when-cross-origin\" />");
        break;
      }
    }
  }

 private:
  const Structure& s_;
};

std::string header_name(std::string_view page_name, std::string_view route) {
  // The name as a string literal: whatever it holds stays inside the comment and reads unambiguously.
  return "Generated by CollabDev+ from the page " + comment_text(js_string(page_name)) + " (route " +
         std::string(route) + ").";
}

}  // namespace

std::string js_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': case '>': case '{': case '}': out += hex4(c); break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += hex4(c);
        } else if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
          out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";  // line terminators inside a literal
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string page_file_path(std::string_view route) {
  check_route(route);
  return route == "/" ? "src/app/page.tsx" : "src/app" + std::string(route) + "/page.tsx";
}

std::string component_name_for(std::string_view route) {
  check_route(route);
  if (route == "/") {
    return "HomePage";
  }
  std::string out;
  bool upper = true;
  for (const char c : route.substr(1)) {
    if (c == '/' || c == '-') {
      upper = true;
    } else {
      out += static_cast<char>(upper && c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
      upper = false;
    }
  }
  if (out[0] >= '0' && out[0] <= '9') {
    out = "Route" + out;
  }
  return out + "Page";
}

GeneratedPage generate(const Structure& structure, std::string_view page_name, std::string_view route) {
  const auto page_path = page_file_path(route);
  const auto css_path = page_path.substr(0, page_path.size() - 4) + ".module.css";
  const auto header = header_name(page_name, route);
  Writer w(structure);
  const Node& root = structure.root();
  w.node(root, 2);

  std::string tsx = "// " + header + "\n// Saving the page in the builder rewrites this file: change the page there.\n";
  tsx += "import type { Metadata } from \"next\";\n";
  if (w.uses_link) {
    tsx += "import Link from \"next/link\";\n";
  }
  tsx += "import styles from \"./page.module.css\";\n\n";
  tsx += "export const metadata: Metadata = {\n  title: " + js_string(str(root.props, "title")) + ",\n";
  if (root.props.contains("description")) {
    tsx += "  description: " + js_string(str(root.props, "description")) + ",\n";
  }
  tsx += "};\n\nexport default function " + component_name_for(route) + "() {\n  return (\n" + w.body + "  );\n}\n";

  std::string css = "/* " + header + " */\n\n";
  css += ".page {\n" + tokens_block();
  for (const auto& d : token_declarations(root, "base")) {
    css += "  " + d + ";\n";
  }
  css += "}\n";
  const auto order = structure.subtree(structure.root_id());
  for (const auto& id : order) {
    const Node& n = *structure.find(id);
    if (id == structure.root_id() || !w.has_class(n)) {
      continue;
    }
    auto d = base_declarations(n);
    const auto tokens = token_declarations(n, "base");
    d.insert(d.end(), tokens.begin(), tokens.end());
    css += "\n" + rule(w.class_of(n), d, "");
  }
  for (const auto& [breakpoint, width] : {std::pair<std::string_view, std::string_view>{"md", "768px"}, {"lg", "1024px"}}) {
    std::string rules;
    for (const auto& id : order) {
      const Node& n = *structure.find(id);
      const auto d = token_declarations(n, breakpoint);
      if (!d.empty()) {
        rules += (rules.empty() ? "" : "\n") + rule(w.class_of(n), d, "  ");
      }
    }
    if (!rules.empty()) {
      css += "\n@media (min-width: " + std::string(width) + ") {\n" + rules + "}\n";
    }
  }
  return GeneratedPage{{page_path, std::move(tsx)}, {css_path, std::move(css)}};
}

}  // namespace collabdev::pages
