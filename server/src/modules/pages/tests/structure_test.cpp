#include "modules/pages/structure.hpp"

#include <functional>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace collabdev::pages {
namespace {

PageError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const PageError& e) {
    return e;
  }
  ADD_FAILURE() << "no PageError";
  return PageError(ErrorCode::malformed, "", "");
}

// A page whose root holds one node of `type` with `props` (JSON text).
std::string page_with(std::string_view type, std::string_view props, std::string_view style = "{}") {
  return R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["n"]},)"
         R"("n":{"type":")" + std::string(type) + R"(","props":)" + std::string(props) + R"(,"style":)" +
         std::string(style) + "}}}";
}

TEST(Structure, ParsesPrintsAndKeepsIds) {
  const auto s = Structure::parse(
      R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"description":"d","title":"Home"},"children":["s1"]},)"
      R"("s1":{"type":"Section","props":{},"children":["h"]},"h":{"type":"Heading","props":{"text":"Hi","level":1},)"
      R"("style":{"md":{"fontSize":"3xl"},"base":{"color":"primary","fontSize":"2xl"}}}}})");
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.find("h")->parent, "s1");
  EXPECT_EQ(s.depth_of("h"), 3u);
  // Props and styles print in their declared order, whatever order they came in.
  EXPECT_EQ(s.to_json_text(),
            R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"Home","description":"d"},"children":["s1"]},)"
            R"("s1":{"type":"Section","props":{},"children":["h"]},"h":{"type":"Heading","props":{"level":1,"text":"Hi"},)"
            R"("style":{"base":{"color":"primary","fontSize":"2xl"},"md":{"fontSize":"3xl"}}}}})");
  EXPECT_EQ(Structure::parse(s.to_json_text()).to_json_text(), s.to_json_text());
  s.check_invariants();
}

TEST(Structure, EveryComponentParses) {
  const std::vector<std::pair<std::string, std::string>> ok = {
      {"Section", R"({"anchor":"intro"})"},
      {"Container", "{}"},
      {"Stack", R"({"direction":"row","wrap":true})"},
      {"Grid", R"({"columns":3})"},
      {"Spacer", R"({"size":"8"})"},
      {"Divider", "{}"},
      {"Heading", R"({"level":6,"text":"x","anchor":"a-b"})"},
      {"Text", R"({"runs":[{"text":"a","bold":true,"italic":true,"code":true,"href":"/x"}]})"},
      {"Link", R"({"text":"x","href":"https://example.com/a?b=c#d","newTab":true})"},
      {"Button", R"({"text":"Go","kind":"link","href":"#top","variant":"ghost"})"},
      {"Button", R"({"text":"Send","kind":"submit"})"},
      {"Image", R"({"src":"/images/a.png","alt":"A","width":10,"height":20})"},
      {"List", R"({"ordered":true,"items":["a","b"]})"},
      {"Quote", R"({"text":"line\nline","cite":"me"})"},
      {"CodeBlock", R"({"code":"int main() {}\n","language":"cpp"})"},
      {"Form", R"({"action":"/subscribe","method":"post"})"},
      {"Input", R"({"name":"email","label":"Email","inputType":"email","placeholder":"you@x","required":true})"},
      {"Textarea", R"({"name":"msg","label":"Message","rows":4})"},
      {"Select", R"({"name":"plan","label":"Plan","options":[{"value":"a","label":"A"}]})"},
      {"Checkbox", R"({"name":"ok","label":"OK","checked":true})"},
      {"Embed", R"({"provider":"youtube","videoId":"dQw4w9WgXcQ","title":"Video"})"},
      {"Embed", R"({"provider":"vimeo","videoId":"76979871","title":"Video"})"},
  };
  for (const auto& [type, props] : ok) {
    EXPECT_NO_THROW(Structure::parse(page_with(type, props))) << type << " " << props;
  }
}

TEST(Structure, ErrorsNameTheField) {
  struct Case {
    std::string type, props, path;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"Link", R"J({"text":"x","href":"javascript:alert(1)"})J", "nodes.n.props.href", ErrorCode::unsafe_url},
      {"Heading", R"({"level":7,"text":"x"})", "nodes.n.props.level", ErrorCode::invalid_value},
      {"Heading", R"({"level":1})", "nodes.n.props.text", ErrorCode::invalid_value},
      {"Heading", R"({"level":1,"text":"x","onClick":"y"})", "nodes.n.props.onClick", ErrorCode::invalid_value},
      {"Image", R"({"src":"/a.png","alt":"","width":1,"height":1})", "nodes.n.props.alt", ErrorCode::invalid_value},
      {"Image", R"({"src":"data:image/png;base64,AAAA","alt":"a","width":1,"height":1})", "nodes.n.props.src",
       ErrorCode::unsafe_url},
      {"Text", R"({"runs":[{"text":"a","href":"vbscript:x"}]})", "nodes.n.props.runs.0.href", ErrorCode::unsafe_url},
      {"Text", R"({"runs":[]})", "nodes.n.props.runs", ErrorCode::invalid_value},
      {"Button", R"({"text":"x","kind":"link"})", "nodes.n.props.href", ErrorCode::invalid_value},
      {"Embed", R"({"provider":"youtube","videoId":"x\"><script>","title":"t"})", "nodes.n.props.videoId",
       ErrorCode::invalid_value},
      {"Embed", R"({"provider":"dailymotion","videoId":"1","title":"t"})", "nodes.n.props.provider",
       ErrorCode::invalid_value},
      {"CodeBlock", R"({"code":"x","language":"brainfuck"})", "nodes.n.props.language", ErrorCode::invalid_value},
      {"Select", R"({"name":"a","label":"A","options":[{"value":"a"}]})", "nodes.n.props.options.0", ErrorCode::invalid_value},
      {"Input", R"({"name":"1a","label":"A"})", "nodes.n.props.name", ErrorCode::invalid_value},
      {"Heading", R"({"level":1,"text":"a\u0000b"})", "nodes.n.props.text", ErrorCode::invalid_value},
      {"Heading", R"({"level":1,"text":"a\nb"})", "nodes.n.props.text", ErrorCode::invalid_value},
      {"Rawhtml", "{}", "nodes.n.type", ErrorCode::unknown_type},
  };
  for (const auto& c : cases) {
    const auto e = error_of([&] { Structure::parse(page_with(c.type, c.props)); });
    EXPECT_EQ(e.path(), c.path) << c.props << " " << e.what();
    EXPECT_EQ(e.code(), c.code) << c.props << " " << e.what();
  }
  const auto long_text = std::string(501, 'a');
  EXPECT_EQ(error_of([&] { Structure::parse(page_with("Heading", R"({"level":1,"text":")" + long_text + "\"}")); }).path(),
            "nodes.n.props.text");
  // 500 characters of four bytes each are within the limit: lengths count characters.
  std::string emoji;
  for (int i = 0; i < 500; ++i) {
    emoji += "\xF0\x9F\x98\x80";
  }
  EXPECT_NO_THROW(Structure::parse(page_with("Heading", R"({"level":1,"text":")" + emoji + "\"}")));
}

TEST(Structure, StylesAreTokensPerBreakpoint) {
  EXPECT_NO_THROW(Structure::parse(page_with("Grid", "{}", R"({"base":{"columns":"1","gap":"4"},"md":{"columns":"2"},"lg":{"columns":"4","padding":"8"}})")));
  EXPECT_EQ(error_of([] { Structure::parse(page_with("Grid", "{}", R"({"xl":{}})")); }).path(), "nodes.n.style.xl");
  EXPECT_EQ(error_of([] { Structure::parse(page_with("Grid", "{}", R"({"md":{"gap":"7px"}})")); }).path(),
            "nodes.n.style.md.gap");
  EXPECT_EQ(error_of([] { Structure::parse(page_with("Text", R"({"runs":[{"text":"a"}]})", R"({"base":{"columns":"2"}})")); })
                .path(),
            "nodes.n.style.base.columns");
  EXPECT_EQ(error_of([] { Structure::parse(page_with("Divider", "{}", R"J({"base":{"color":"#f00;background:url(x)"}})J")); })
                .path(),
            "nodes.n.style.base.color");
}

TEST(Structure, TreeShapeIsChecked) {
  const auto bad = [](std::string_view json) { return error_of([&] { Structure::parse(json); }); };
  // A child named twice, a missing child, an orphan, a cycle, a leaf with children, a Page inside.
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["a","a"]},"a":{"type":"Divider","props":{}}}})").code(),
            ErrorCode::malformed);
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["x"]}}})").code(),
            ErrorCode::not_found);
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"}},"a":{"type":"Divider","props":{}}}})").path(),
            "nodes.a");
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"}},"a":{"type":"Section","props":{},"children":["b"]},"b":{"type":"Section","props":{},"children":["a"]}}})").code(),
            ErrorCode::malformed);
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["a"]},"a":{"type":"Divider","props":{},"children":["b"]},"b":{"type":"Divider","props":{}}}})").code(),
            ErrorCode::not_a_container);
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["a"]},"a":{"type":"Form","props":{},"children":["b"]},"b":{"type":"Form","props":{}}}})").code(),
            ErrorCode::not_a_container);
  EXPECT_EQ(bad(R"({"version":1,"root":"d","nodes":{"d":{"type":"Divider","props":{}}}})").path(), "nodes.d.type");
  EXPECT_EQ(bad(R"({"version":2,"root":"root","nodes":{}})").path(), "version");
  EXPECT_EQ(bad("[1,").code(), ErrorCode::malformed);
  EXPECT_EQ(bad(R"({"version":1,"root":"root","nodes":{"a b":{}}})").path(), "nodes.a b");
}

TEST(Structure, LimitsOfSizeAndDepth) {
  // 32 levels are fine, 33 are not.
  const auto chain = [](int levels) {
    std::string nodes = R"("root":{"type":"Page","props":{"title":"T"},"children":["s1"]})";
    for (int i = 1; i < levels; ++i) {
      nodes += ",\"s" + std::to_string(i) + R"(":{"type":"Section","props":{},"children":[)" +
               (i + 1 < levels ? "\"s" + std::to_string(i + 1) + "\"" : std::string()) + "]}";
    }
    return R"({"version":1,"root":"root","nodes":{)" + nodes + "}}";
  };
  EXPECT_NO_THROW(Structure::parse(chain(32)));
  EXPECT_EQ(error_of([&] { Structure::parse(chain(33)); }).code(), ErrorCode::too_deep);

  const auto wide = [](std::size_t n) {
    std::string children, nodes;
    for (std::size_t i = 1; i < n; ++i) {
      children += (i > 1 ? ",\"d" : "\"d") + std::to_string(i) + "\"";
      nodes += ",\"d" + std::to_string(i) + R"(":{"type":"Divider","props":{}})";
    }
    return R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":[)" + children +
           "]}" + nodes + "}}";
  };
  EXPECT_EQ(Structure::parse(wide(max_nodes)).size(), max_nodes);
  EXPECT_EQ(error_of([&] { Structure::parse(wide(max_nodes + 1)); }).code(), ErrorCode::too_many_nodes);
}

TEST(Urls, OnlySafeSchemesAndShapes) {
  for (const std::string_view ok :
       {"https://example.com", "http://example.com/a?b=1&c=2#x", "HTTPS://EXAMPLE.COM/", "mailto:a@b.c",
        "tel:+15551234", "/pricing", "/docs/getting-started#intro", "#top", "about", "../up", "?q=1", "./x"}) {
    EXPECT_TRUE(is_safe_link_url(ok)) << ok;
  }
  for (const std::string_view bad :
       {"javascript:alert(1)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
        "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript\x01:x", "\x00javascript:x",
        "javascript&colon;alert(1)", "javascript&#58;alert(1)", "javascript&#x3A;alert(1)", "&#106;avascript:x",
        "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
        "file:///etc/passwd", "//evil.example", "/\\evil.example", "https://", "http:example.com",
        "https://user:pw@example.com/", "https://example.com/\"onmouseover=\"x", "https://exa mple.com",
        "", "\xE2\x80\xA8javascript:x", "ftp://example.com", "blob:https://x/y", "jav&#x09;ascript:x"}) {
    EXPECT_FALSE(is_safe_link_url(bad)) << bad;
  }
  EXPECT_TRUE(is_safe_image_url("https://example.com/a.png"));
  EXPECT_TRUE(is_safe_image_url("/uploads/a.png"));
  EXPECT_FALSE(is_safe_image_url("#x"));
  EXPECT_FALSE(is_safe_image_url("mailto:a@b"));
  EXPECT_FALSE(is_safe_image_url("a.png"));
}

TEST(Routes, StrictForm) {
  for (const std::string_view ok : {"/", "/pricing", "/docs/getting-started", "/a1/b-2/c", "/404"}) {
    EXPECT_TRUE(is_valid_route(ok)) << ok;
  }
  for (const std::string_view bad : {"", "pricing", "/Pricing", "/pricing/", "//", "/a//b", "/..", "/a/../b",
                                     "/-a", "/a-", "/a--b", "/a_b", "/a.b", "/[id]", "/(group)", "/a b", "/é"}) {
    EXPECT_FALSE(is_valid_route(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_route("/" + std::string(255, 'a')));
  EXPECT_EQ(error_of([] { check_route("/A"); }).path(), "route");
}

}  // namespace
}  // namespace collabdev::pages
