#include "modules/pages/operations.hpp"

#include <functional>
#include <random>

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

Operation op(std::string_view json) { return parse_operation(boost::json::parse(json)); }

Structure sample() {
  return Structure::parse(
      R"({"version":1,"root":"root","nodes":{"root":{"type":"Page","props":{"title":"T"},"children":["s","f"]},)"
      R"("s":{"type":"Section","props":{},"children":["h","p"]},)"
      R"("h":{"type":"Heading","props":{"level":1,"text":"Hello"}},)"
      R"("p":{"type":"Text","props":{"runs":[{"text":"Body"}]}},)"
      R"("f":{"type":"Form","props":{},"children":["i"]},)"
      R"("i":{"type":"Input","props":{"name":"email","label":"Email"}}}})");
}

// Applies `o`, checks the tree, then its inverse restores the structure exactly.
Operation round_trip(Structure& s, const Operation& o) {
  const auto before = s.to_json_text();
  const auto inverse = apply(s, o);
  s.check_invariants();
  auto copy = s;
  apply(copy, parse_operation(operation_to_json(inverse)));  // the inverse survives its JSON form
  EXPECT_EQ(copy.to_json_text(), before);
  return inverse;
}

TEST(Operations, InsertAfterSiblingAndItsInverse) {
  auto s = sample();
  round_trip(s, op(R"({"op":"insert","parent":"s","after":"h","id":"d","nodes":{"d":{"type":"Divider","props":{}}}})"));
  EXPECT_EQ(s.find("s")->children, (std::vector<std::string>{"h", "d", "p"}));
  round_trip(s, op(R"({"op":"insert","parent":"s","after":null,"id":"g","nodes":{"g":{"type":"Grid","props":{},"children":["g1"]},"g1":{"type":"Spacer","props":{}}}})"));
  EXPECT_EQ(s.find("s")->children.front(), "g");
  EXPECT_EQ(s.find("g1")->parent, "g");
}

TEST(Operations, InsertRefusals) {
  auto s = sample();
  const auto before = s.to_json_text();
  const auto refused = [&](std::string_view json) {
    auto e = error_of([&] { apply(s, op(json)); });
    EXPECT_EQ(s.to_json_text(), before) << json;
    return std::make_pair(e.code(), e.path());
  };
  using P = std::pair<ErrorCode, std::string>;
  EXPECT_EQ(refused(R"({"op":"insert","parent":"gone","id":"d","nodes":{"d":{"type":"Divider"}}})"), P(ErrorCode::not_found, "parent"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"s","after":"i","id":"d","nodes":{"d":{"type":"Divider"}}})"), P(ErrorCode::not_found, "after"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"h","id":"d","nodes":{"d":{"type":"Divider"}}})"), P(ErrorCode::not_a_container, "parent"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"s","id":"h","nodes":{"h":{"type":"Divider"}}})"), P(ErrorCode::id_taken, "nodes.h"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"f","id":"f2","nodes":{"f2":{"type":"Form"}}})"), P(ErrorCode::not_a_container, "nodes.f2"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"s","id":"r","nodes":{"r":{"type":"Page","props":{"title":"x"}}}})"), P(ErrorCode::not_a_container, "nodes.r.type"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"s","id":"a","nodes":{"a":{"type":"Section","children":["b"]}}})"), P(ErrorCode::not_found, "nodes.a.children"));
  EXPECT_EQ(refused(R"({"op":"insert","parent":"s","id":"a","nodes":{"a":{"type":"Section"},"b":{"type":"Divider"}}})"), P(ErrorCode::malformed, "nodes"));
  EXPECT_EQ(error_of([] { op(R"({"op":"insert","parent":"s","id":"l","nodes":{"l":{"type":"Link","props":{"text":"x","href":"javascript:x"}}}})"); }).path(),
            "nodes.l.props.href");
  EXPECT_EQ(error_of([] { op(R"({"op":"insert","parent":"s","id":"l","nodes":{}})"); }).path(), "nodes");
  EXPECT_EQ(error_of([] { op(R"({"op":"explode","id":"s"})"); }).path(), "op");
  EXPECT_EQ(error_of([] { op(R"({"op":"delete","id":"s","extra":1})"); }).path(), "extra");
  EXPECT_EQ(error_of([] { op(R"({"op":"delete","id":"a b"})"); }).path(), "id");
}

TEST(Operations, MoveRefusedIntoItsOwnSubtree) {
  auto s = sample();
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"s","parent":"s"})")); }).code(), ErrorCode::into_own_subtree);
  round_trip(s, op(R"({"op":"insert","parent":"s","id":"c","nodes":{"c":{"type":"Container"}}})"));
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"s","parent":"c"})")); }).code(), ErrorCode::into_own_subtree);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"root","parent":"s"})")); }).code(), ErrorCode::root_fixed);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"h","parent":"s","after":"h"})")); }).path(), "after");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"f","parent":"f"})")); }).code(), ErrorCode::into_own_subtree);
  round_trip(s, op(R"({"op":"move","id":"h","parent":"s","after":"p"})"));
  EXPECT_EQ(s.find("s")->children, (std::vector<std::string>{"c", "p", "h"}));
  round_trip(s, op(R"({"op":"move","id":"i","parent":"root","after":"s"})"));
  EXPECT_EQ(s.find("i")->parent, "root");
  round_trip(s, op(R"({"op":"move","id":"h","parent":"c"})"));
  EXPECT_EQ(s.find("c")->children, (std::vector<std::string>{"h"}));
}

TEST(Operations, DeleteTakesTheSubtreeAndUndoRestoresIt) {
  auto s = sample();
  const auto inverse = round_trip(s, op(R"({"op":"delete","id":"s"})"));
  EXPECT_EQ(s.find("h"), nullptr);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(inverse.kind, OpKind::insert);
  EXPECT_EQ(inverse.nodes.size(), 3u);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"delete","id":"s"})")); }).code(), ErrorCode::not_found);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"delete","id":"root"})")); }).code(), ErrorCode::root_fixed);
}

TEST(Operations, UpdatePropsAndStylesPerKey) {
  auto s = sample();
  const auto inverse = round_trip(s, op(R"({"op":"update","id":"h","props":{"text":"Bye","anchor":"top"},"style":{"md":{"fontSize":"4xl"}}})"));
  EXPECT_EQ(s.find("h")->props.at("text").as_string(), "Bye");
  EXPECT_EQ(s.find("h")->style.at("md").at("fontSize").as_string(), "4xl");
  EXPECT_EQ(boost::json::serialize(operation_to_json(inverse)),
            R"({"op":"update","id":"h","props":{"text":"Hello","anchor":null},"style":{"md":{"fontSize":null}}})");
  round_trip(s, op(R"({"op":"update","id":"h","props":{"anchor":null}})"));
  EXPECT_FALSE(s.find("h")->props.contains("anchor"));
  const auto before = s.to_json_text();
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"update","id":"h","props":{"text":null}})")); }).path(), "props.text");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"update","id":"h","props":{"level":9}})")); }).path(), "props.level");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"update","id":"h","props":{"onload":"x"}})")); }).path(), "props.onload");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"update","id":"h","style":{"lg":{"gap":"huge"}}})")); }).path(), "style.lg.gap");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"update","id":"gone","props":{"text":"x"}})")); }).code(), ErrorCode::not_found);
  EXPECT_EQ(s.to_json_text(), before);
  EXPECT_EQ(error_of([] { op(R"({"op":"update","id":"h","style":{"xl":{}}})"); }).path(), "style.xl");
  EXPECT_EQ(error_of([] { op(R"({"op":"update","id":"h"})"); }).code(), ErrorCode::malformed);
}

TEST(Operations, DuplicateWithFreshIds) {
  auto s = sample();
  int n = 0;
  const auto dup = make_duplicate(s, "s", [&] { return "copy" + std::to_string(++n); });
  round_trip(s, dup);
  EXPECT_EQ(s.find("root")->children, (std::vector<std::string>{"s", "copy1", "f"}));
  EXPECT_EQ(s.find("copy1")->children, (std::vector<std::string>{"copy2", "copy3"}));
  EXPECT_EQ(s.find("copy2")->props, s.find("h")->props);
  EXPECT_EQ(error_of([&] { apply(s, dup); }).code(), ErrorCode::id_taken);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"duplicate","id":"s","ids":{"s":"z"}})")); }).path(), "ids");
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"duplicate","id":"root","ids":{"root":"z"}})")); }).code(), ErrorCode::root_fixed);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"duplicate","id":"h","ids":{"p":"z"}})")); }).path(), "ids.h");
}

TEST(Operations, LimitsHold) {
  // A chain 31 levels deep takes one more level, not two; a node with a subtree cannot move down.
  auto s = Structure::empty("T");
  std::string parent = "root";
  for (int i = 1; i < 31; ++i) {
    const auto id = "c" + std::to_string(i);
    apply(s, op(R"({"op":"insert","parent":")" + parent + R"(","id":")" + id + R"(","nodes":{")" + id + R"(":{"type":"Container"}}})"));
    parent = id;
  }
  EXPECT_EQ(s.depth_of("c30"), 31u);
  EXPECT_NO_THROW(apply(s, op(R"({"op":"insert","parent":"c30","id":"x","nodes":{"x":{"type":"Container"}}})")));
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"insert","parent":"x","id":"y","nodes":{"y":{"type":"Container"}}})")); }).code(),
            ErrorCode::too_deep);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"insert","parent":"c29","id":"y","nodes":{"y":{"type":"Container","children":["z"]},"z":{"type":"Container","children":["w"]},"w":{"type":"Divider"}}})")); }).code(),
            ErrorCode::too_deep);
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"c2","parent":"x"})")); }).code(), ErrorCode::into_own_subtree);
  apply(s, op(R"({"op":"insert","parent":"root","id":"k","nodes":{"k":{"type":"Container","children":["k2"]},"k2":{"type":"Divider"}}})"));
  EXPECT_EQ(error_of([&] { apply(s, op(R"({"op":"move","id":"k","parent":"x"})")); }).code(), ErrorCode::too_deep);

  auto wide = Structure::empty("T");
  boost::json::object nodes;
  boost::json::array children;
  for (std::size_t i = 0; i + 2 < max_nodes; ++i) {
    children.emplace_back("d" + std::to_string(i));
    nodes["d" + std::to_string(i)] = {{"type", "Divider"}};
  }
  nodes["big"] = {{"type", "Container"}, {"children", children}};
  Operation big = parse_operation(boost::json::object{{"op", "insert"}, {"parent", "root"}, {"id", "big"}, {"nodes", nodes}});
  apply(wide, big);
  EXPECT_EQ(wide.size(), max_nodes);
  EXPECT_EQ(error_of([&] { apply(wide, op(R"({"op":"insert","parent":"root","id":"one","nodes":{"one":{"type":"Divider"}}})")); }).code(),
            ErrorCode::too_many_nodes);
}

// Random sequences of operations, valid and not: the tree stays valid, a refused operation changes
// nothing, and every accepted one is undone exactly by its inverse.
TEST(Operations, RandomSequencesKeepTheTreeValid) {
  constexpr Component types[] = {Component::Section, Component::Container, Component::Stack, Component::Grid,
                                 Component::Divider, Component::Form,      Component::Input,  Component::Heading};
  for (unsigned seed = 1; seed <= 8; ++seed) {
    std::mt19937 rng(seed);
    auto s = Structure::empty("Random");
    int next_id = 0;
    std::vector<Operation> undo;
    const auto pick = [&](bool with_gone) -> std::string {
      std::vector<std::string> ids;
      for (const auto& [id, n] : s.nodes()) {
        ids.push_back(id);
      }
      std::sort(ids.begin(), ids.end());
      if (with_gone && rng() % 10 == 0) {
        return "gone";
      }
      return ids[rng() % ids.size()];
    };
    const auto pick_after = [&](const std::string& parent) -> std::optional<std::string> {
      const Node* p = s.find(parent);
      if (p == nullptr || p->children.empty() || rng() % 4 == 0) {
        return std::nullopt;
      }
      return p->children[rng() % p->children.size()];
    };
    std::size_t accepted = 0;
    for (int step = 0; step < 250; ++step) {
      Operation o;
      switch (rng() % 6) {
        case 0:
        case 1: {
          o.kind = OpKind::insert;
          o.parent = pick(true);
          o.after = pick_after(o.parent);
          o.id = "n" + std::to_string(++next_id);
          const auto type = types[rng() % std::size(types)];
          boost::json::object props;
          if (type == Component::Input) {
            props = {{"name", "f"}, {"label", "Field"}};
          } else if (type == Component::Heading) {
            props = {{"level", 2}, {"text", "Heading"}};
          }
          o.nodes.push_back(node_from_json(o.id, boost::json::object{{"type", component_name(type)}, {"props", props}}, "n"));
          break;
        }
        case 2:
          o.kind = OpKind::move;
          o.id = pick(true);
          o.parent = pick(false);
          o.after = pick_after(o.parent);
          break;
        case 3:
          o.kind = OpKind::remove;
          o.id = pick(true);
          break;
        case 4:
          if (s.size() > 60) {  // duplicates double subtrees: keep the tree small enough to check each step
            o = make_duplicate(s, "gone", [&] { return "n" + std::to_string(++next_id); });
            break;
          }
          o = make_duplicate(s, pick(false), [&] { return "n" + std::to_string(++next_id); });
          break;
        case 5:
          o.kind = OpKind::update;
          o.id = pick(true);
          o.style = {{"md", {{"gap", rng() % 2 ? boost::json::value("4") : boost::json::value(nullptr)}}}};
          break;
      }
      const auto before = s.to_json_text();
      try {
        const auto inverse = apply(s, o);
        ++accepted;
        s.check_invariants();
        auto undone = s;
        apply(undone, inverse);
        ASSERT_EQ(undone.to_json_text(), before) << "seed " << seed << " step " << step << ": "
                                                 << boost::json::serialize(operation_to_json(o));
        undo.push_back(inverse);
      } catch (const PageError& e) {
        ASSERT_EQ(s.to_json_text(), before) << "a refused operation changed the structure: " << e.what();
      }
    }
    EXPECT_GT(accepted, 80u);
    // Undoing everything, newest first, gives the empty page back.
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      apply(s, *it);
    }
    EXPECT_EQ(s.to_json_text(), Structure::empty("Random").to_json_text());
  }
}

}  // namespace
}  // namespace collabdev::pages
