#pragma once
// The Next.js code a page becomes: one App Router page component (`src/app/<route>/page.tsx`) and
// its CSS module, readable and deterministic (the same structure, name and route give the same
// bytes). Whatever a user typed reaches the code only inside JavaScript string literals, escaped so
// that it shows as text and never runs (the approach of Webstudio's component generator); there is
// no dangerouslySetInnerHTML (docs/pages.md).
#include <string>
#include <string_view>

#include "modules/pages/structure.hpp"

namespace collabdev::pages {

struct GeneratedFile {
  std::string path;  // relative to the project's root: `src/app/docs/x/page.tsx`
  std::string content;
};

struct GeneratedPage {
  GeneratedFile component;  // page.tsx
  GeneratedFile styles;     // page.module.css
};

// Throws PageError(invalid_route) for a route outside is_valid_route.
GeneratedPage generate(const Structure& structure, std::string_view page_name, std::string_view route);

// `src/app/page.tsx` for `/`, `src/app/docs/x/page.tsx` for `/docs/x`.
std::string page_file_path(std::string_view route);
// `HomePage` for `/`, `DocsGettingStartedPage` for `/docs/getting-started`.
std::string component_name_for(std::string_view route);
// A double-quoted JavaScript string literal of UTF-8 text: quotes, backslashes and control
// characters escaped, and `<`, `>`, `{`, `}`, U+2028 and U+2029 as \u escapes so that the literal
// is inert in JSX, in HTML and in any JavaScript parser. Other Unicode is kept as it is.
std::string js_string(std::string_view text);

}  // namespace collabdev::pages
