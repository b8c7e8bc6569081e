#include "modules/files/changeset.hpp"

#include <functional>
#include <random>

#include <gtest/gtest.h>

namespace collabdev::files {
namespace {

ChangeErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ChangeError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no ChangeError";
  return ChangeErrorCode::malformed;
}

std::string run(std::string_view json, std::string_view doc) { return ChangeSet::parse(json).apply(doc); }

TEST(ChangeSet, ParsesAndPrintsTheEditorsJson) {
  const auto c = ChangeSet::parse(R"([3,[1,"a","b"],[2],4])");
  EXPECT_EQ(c.length(), 10);
  EXPECT_EQ(c.new_length(), 3 + 3 + 4);
  EXPECT_EQ(c.to_json_text(), R"([3,[1,"a","b"],[2],4])");
  EXPECT_EQ(c.apply("abcXdeFGHI"), "abca\nbFGHI");
}

TEST(ChangeSet, InsertsLinesJoinedByNewline) {
  EXPECT_EQ(run(R"([[0,"one","","two"]])", ""), "one\n\ntwo");
  EXPECT_EQ(run(R"([2,[0,""],1])", "abc"), "abc");  // an empty line inserts nothing
}

TEST(ChangeSet, EmptyDocuments) {
  EXPECT_EQ(run("[]", ""), "");
  EXPECT_EQ(run(R"([[0,"hi"]])", ""), "hi");
  EXPECT_EQ(run(R"([[2]])", "hi"), "");
  EXPECT_EQ(code_of([] { run("[1]", ""); }), ChangeErrorCode::length_mismatch);
  EXPECT_EQ(code_of([] { run("[]", "x"); }), ChangeErrorCode::length_mismatch);
}

TEST(ChangeSet, CountsUtf16UnitsOverUtf8Text) {
  // "a😀b": U+1F600 is two UTF-16 units (a surrogate pair) and four UTF-8 bytes.
  const std::string doc = "a\xF0\x9F\x98\x80" "b";
  EXPECT_EQ(utf16_length(doc), 4);
  EXPECT_EQ(run("[1,[2],1]", doc), "ab");
  EXPECT_EQ(run(R"([3,[0,"é"],1])", doc), "a\xF0\x9F\x98\x80\xC3\xA9" "b");
  EXPECT_EQ(run(R"([4,[0,"😀"]])", doc), doc + "\xF0\x9F\x98\x80");
  EXPECT_EQ(ChangeSet::parse(R"([[0,"😀"]])").new_length(), 2);
  EXPECT_EQ(code_of([&] { run(R"([2,[0,"x"],2])", doc); }), ChangeErrorCode::splits_surrogate);
  EXPECT_EQ(code_of([&] { run("[1,[1],2]", doc); }), ChangeErrorCode::splits_surrogate);
  EXPECT_EQ(code_of([&] { run("[5]", doc); }), ChangeErrorCode::length_mismatch);
  EXPECT_EQ(code_of([&] { run("[3]", doc); }), ChangeErrorCode::length_mismatch);
  EXPECT_EQ(code_of([&] { run("[2]", doc); }), ChangeErrorCode::splits_surrogate);
}

TEST(ChangeSet, CombiningMarksAreUnitsOfTheirOwn) {
  // "e" + U+0301 COMBINING ACUTE ACCENT: two code points, two units; deleting the base alone is
  // a valid change (the editor allows it too).
  const std::string doc = "e\xCC\x81x";
  EXPECT_EQ(utf16_length(doc), 3);
  EXPECT_EQ(run("[[1],2]", doc), "\xCC\x81x");
  EXPECT_EQ(run(R"([2,[0,"̂"],1])", doc), "e\xCC\x81\xCC\x82x");
}

TEST(ChangeSet, RefusesLineBreaksInsideLines) {
  EXPECT_EQ(code_of([] { ChangeSet::parse(R"([[0,"a\r","b"]])"); }), ChangeErrorCode::line_break);
  EXPECT_EQ(code_of([] { ChangeSet::parse(R"([[0,"a\nb"]])"); }), ChangeErrorCode::line_break);
  // A CRLF document cannot exist: the server stores "\n" only, so "\r" never reaches apply from
  // the editor; a document holding one is still just text.
  EXPECT_EQ(run(R"([1,[0,"",""],1])", "a\r"), "a\n\r");
}

TEST(ChangeSet, RefusesMalformedJson) {
  for (std::string_view bad : {"", "{}", "[-1]", "[1.5]", "[[]]", R"([["1"]])", R"([[1,2]])", "[true]",
                               "[null]", "[[1,[\"a\"]]]", "[99999999999999999999]", "[1,"}) {
    EXPECT_NE(code_of([&] { ChangeSet::parse(bad); }), ChangeErrorCode::length_mismatch) << bad;
  }
  EXPECT_EQ(code_of([] { ChangeSet::parse("[1099511627777]"); }), ChangeErrorCode::too_large);
}

TEST(ChangeSet, RefusesADocumentThatIsNotUtf8) {
  EXPECT_EQ(code_of([] { run("[2]", "a\xFF"); }), ChangeErrorCode::invalid_text);
  EXPECT_EQ(code_of([] { utf16_length("\xED\xA0\x80"); }), ChangeErrorCode::invalid_text);  // a surrogate
  EXPECT_EQ(code_of([] { utf16_length("\xC0\x80"); }), ChangeErrorCode::invalid_text);      // overlong
}

TEST(ChangeSet, MapsConcurrentInsertionsAtOnePlaceInAStableOrder) {
  const auto a = ChangeSet::parse(R"([1,[0,"A"],2])");
  const auto b = ChangeSet::parse(R"([1,[0,"B"],2])");
  // `b` is accepted first: `a` goes after it unless mapped with before = true.
  EXPECT_EQ(a.map(b).apply(b.apply("xyz")), "xBAyz");
  EXPECT_EQ(a.map(b, true).apply(b.apply("xyz")), "xAByz");
}

TEST(ChangeSet, MapsADeletionOverAnInsertionInsideIt) {
  const auto del = ChangeSet::parse("[1,[3],1]");       // deletes "bcd" of "abcde"
  const auto ins = ChangeSet::parse(R"([2,[0,"X"],3])");  // inserts inside that range
  EXPECT_EQ(del.map(ins).apply(ins.apply("abcde")), "aXe");
  EXPECT_EQ(ins.map(del, true).apply(del.apply("abcde")), "aXe");
}

// Random changes on random text with astral characters, combining marks and line breaks.
struct Random {
  std::mt19937 rng;
  std::int64_t pick(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); }
  std::string text(int max) {
    static const char* pieces[] = {"a", "b", " ", "\n", "\xF0\x9F\x98\x80", "e\xCC\x81", "\xE4\xB8\xAD", "\xF0\x9D\x84\x9E"};
    std::string s;
    for (auto n = pick(0, max); n > 0; --n) {
      s += pieces[pick(0, 7)];
    }
    return s;
  }
  // A change of `doc` made of a few replacements at code point boundaries.
  ChangeSet change(const std::string& doc) {
    std::vector<std::int64_t> bounds{0};  // UTF-16 positions between code points
    for (std::size_t i = 0; i < doc.size();) {
      const auto c = static_cast<unsigned char>(doc[i]);
      const int bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      bounds.push_back(bounds.back() + (bytes == 4 ? 2 : 1));
      i += bytes;
    }
    const auto len = bounds.back();
    auto set = ChangeSet::empty(len);
    for (auto n = pick(1, 3); n > 0; --n) {
      // Positions in the document the change so far produced.
      std::int64_t a = bounds[pick(0, bounds.size() - 1)];
      std::int64_t b = bounds[pick(0, bounds.size() - 1)];
      if (a > b) {
        std::swap(a, b);
      }
      auto one = ChangeSet::replace(len, a, b, text(3));
      set = set.compose(one.map(set));
    }
    return set;
  }
};

TEST(ChangeSet, ConcurrentChangesConvergeAndComposeAsApplied) {
  Random r{std::mt19937(20261130)};
  for (int round = 0; round < 3000; ++round) {
    const auto doc = r.text(12);
    const auto a = r.change(doc);
    const auto b = r.change(doc);
    // Both orders give one text (what lets every editor converge).
    const auto ab = a.map(b).apply(b.apply(doc));
    const auto ba = b.map(a, true).apply(a.apply(doc));
    ASSERT_EQ(ab, ba) << "round " << round << " doc " << doc << " a " << a.to_json_text() << " b " << b.to_json_text();
    // Composing equals applying one after the other.
    const auto after_a = a.apply(doc);
    const auto c = r.change(after_a);
    ASSERT_EQ(a.compose(c).apply(doc), c.apply(after_a)) << "round " << round;
    // The JSON form reads back to the same change.
    ASSERT_EQ(ChangeSet::parse(a.to_json_text()).apply(doc), after_a);
  }
}

// Mapping over a composition is not mapping over each change in turn: a deletion, then an insertion
// where the deleted text was, moves a concurrent insertion differently. The rebase maps over each
// accepted update in turn, as an editor receiving them one at a time does.
TEST(Rebase, MapsOverEachAcceptedUpdateInTurn) {
  const auto pushed = ChangeSet::parse(R"([1,[0,"x"],1])");
  const std::vector<ChangeSet> since{ChangeSet::parse("[[2]]"), ChangeSet::parse(R"([[0,"y"]])")};
  const auto rebased = rebase({pushed}, since);
  ASSERT_EQ(rebased.size(), 1U);
  EXPECT_EQ(rebased[0].to_json_text(), pushed.map(since[0]).map(since[1]).to_json_text());
  EXPECT_EQ(rebased[0].to_json_text(), R"([1,[0,"x"]])");
}

// A push sent again after a reconnect, while its first copy was accepted meanwhile: the pusher's
// own updates in the log confirm its first changes, which are not accepted twice; the rest moves
// over the others' updates only, as receiveUpdates moves it.
TEST(Rebase, AnEarlierCopyOfThePushConfirmsItsChanges) {
  const auto a = ChangeSet::parse(R"([[0,"a"],3])");
  const auto b = ChangeSet::parse(R"([4,[0,"b"]])");
  const auto c = ChangeSet::parse(R"([2,[1,"c"],2])");
  const auto other = ChangeSet::parse(R"([1,[1],[0,"XY"],1])");
  const auto first = rebase({a, b}, {other});  // the earlier copy, accepted after `other`
  ASSERT_EQ(first.size(), 2U);
  const auto again = rebase({a, b, c}, {other, first[0], first[1]}, {false, true, true});
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].to_json_text(), rebase({a, b, c}, {other})[2].to_json_text());
  EXPECT_TRUE(rebase({a, b}, {other, first[0], first[1]}, {false, true, true}).empty());
}

TEST(Rebase, APushOnAnOlderVersionEndsWhereItsAuthorEnds) {
  Random r{std::mt19937(7)};
  for (int round = 0; round < 500; ++round) {
    const auto base = r.text(10);
    // Others' changes accepted since the pusher's version.
    std::vector<ChangeSet> since;
    auto server = base;
    for (auto n = r.pick(0, 3); n > 0; --n) {
      since.push_back(r.change(server));
      server = since.back().apply(server);
    }
    // The pusher's own unconfirmed changes, one after the other, on the old version.
    std::vector<ChangeSet> pushed;
    auto local = base;
    for (auto n = r.pick(1, 3); n > 0; --n) {
      pushed.push_back(r.change(local));
      local = pushed.back().apply(local);
    }
    for (const auto& c : rebase(pushed, since)) {
      server = c.apply(server);
    }
    // The pusher receives `since` one update at a time and moves its unconfirmed changes over
    // each (receiveUpdates), applying what is left of each update to its text.
    auto unconfirmed = pushed;
    for (auto over : since) {
      for (auto& u : unconfirmed) {
        auto moved = u.map(over);
        over = over.map(u, true);
        u = std::move(moved);
      }
      local = over.apply(local);
    }
    ASSERT_EQ(server, local) << "round " << round;
  }
}

}  // namespace
}  // namespace collabdev::files
