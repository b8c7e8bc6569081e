// The changeset core against the real @codemirror/state: codemirror_cases.json holds random changes
// and what the editor's library makes of them (written by codemirror_cases.mjs). Ours must give
// the same JSON, section for section, and the same text.
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "modules/files/changeset.hpp"

namespace collabdev::files {
namespace {

namespace bj = boost::json;

bj::value load() {
  std::ifstream in(std::string(COLLABDEV_SOURCE_DIR) + "/server/src/modules/files/tests/codemirror_cases.json");
  std::stringstream buf;
  buf << in.rdbuf();
  return bj::parse(buf.str());
}

std::vector<ChangeSet> list(const bj::value& v) {
  std::vector<ChangeSet> out;
  for (const auto& c : v.as_array()) {
    out.push_back(ChangeSet::from_json(c));
  }
  return out;
}

TEST(CodeMirror, SameResultsAsTheEditorsLibrary) {
  const auto cases = load();
  ASSERT_GT(cases.at("cases").as_array().size(), 100u);
  int n = 0;
  for (const auto& item : cases.at("cases").as_array()) {
    const auto& k = item.as_object();
    SCOPED_TRACE("case " + std::to_string(n++) + ": " + bj::serialize(k));
    const std::string doc(k.at("doc").as_string());
    const auto a = ChangeSet::from_json(k.at("a"));
    const auto b = ChangeSet::from_json(k.at("b"));
    const auto c = ChangeSet::from_json(k.at("c"));
    EXPECT_EQ(bj::value(a.to_json()), k.at("a"));
    EXPECT_EQ(a.apply(doc), std::string(k.at("after_a").as_string()));
    EXPECT_EQ(bj::value(a.map(b).to_json()), k.at("a_map_b"));
    EXPECT_EQ(bj::value(b.map(a, true).to_json()), k.at("b_map_a_before"));
    EXPECT_EQ(bj::value(a.compose(c).to_json()), k.at("a_compose_c"));
    const auto rebased = rebase(list(k.at("pushed")), list(k.at("since")));
    bj::array got;
    for (const auto& r : rebased) {
      got.emplace_back(r.to_json());
    }
    EXPECT_EQ(bj::value(got), k.at("rebased"));
  }
}

}  // namespace
}  // namespace collabdev::files
