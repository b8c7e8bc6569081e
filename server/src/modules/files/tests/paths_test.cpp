#include "modules/files/paths.hpp"

#include <gtest/gtest.h>

namespace collabdev::files {
namespace {

std::string error_of(std::string_view path) { return check_path(path).error; }

TEST(Paths, AcceptsRelativePathsInNfc) {
  const auto c = check_path("src/app/page.tsx");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(c.ok->path, "src/app/page.tsx");
  EXPECT_EQ(c.ok->name, "page.tsx");
  // "e" + combining acute (NFD) is stored as U+00E9 (NFC).
  const auto d = check_path("docs/caf\x65\xCC\x81.md");
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.ok->path, "docs/caf\xC3\xA9.md");
  EXPECT_EQ(d.ok->name, "caf\xC3\xA9.md");
}

TEST(Paths, RefusesEveryBrokenRule) {
  EXPECT_NE(error_of(""), "");
  EXPECT_NE(error_of("/etc/passwd"), "");
  EXPECT_NE(error_of("a/../b"), "");
  EXPECT_NE(error_of(".."), "");
  EXPECT_NE(error_of("a/./b"), "");
  EXPECT_NE(error_of("a//b"), "");
  EXPECT_NE(error_of("a/"), "");
  EXPECT_NE(error_of(std::string("a\0b", 3)), "");
  EXPECT_NE(error_of("a\tb"), "");
  EXPECT_NE(error_of("a\x7F"), "");
  EXPECT_NE(error_of("a\xC2\x85"), "");  // U+0085 NEXT LINE, a C1 control
  EXPECT_NE(error_of("a\\b"), "");
  EXPECT_NE(error_of(std::string(256, 'n')), "");
  EXPECT_EQ(error_of(std::string(255, 'n')), "");
  EXPECT_NE(error_of(std::string(200, 'n') + "/" + std::string(200, 'n') + "/" + std::string(111, 'n')), "");
  EXPECT_EQ(error_of(std::string(200, 'n') + "/" + std::string(200, 'n') + "/" + std::string(110, 'n')), "");
  EXPECT_NE(error_of("a\xFF"), "");
  EXPECT_EQ(error_of(".gitignore"), "");
  EXPECT_EQ(error_of("a/...b"), "");
}

TEST(Paths, KeysFoldCaseForEveryScript) {
  EXPECT_EQ(check_path("Src/App.TSX").ok->key, check_path("src/app.tsx").ok->key);
  EXPECT_EQ(check_path("\xC3\x84pfel.md").ok->key, check_path("\xC3\xA4pfel.md").ok->key);         // Ä, ä
  EXPECT_EQ(check_path("Stra\xC3\x9F" "e.md").ok->key, check_path("STRASSE.md").ok->key);          // ß
  EXPECT_EQ(check_path("A\xCC\x8Apfel").ok->key, check_path("\xC3\xA5pfel").ok->key);              // NFD Å, å
  EXPECT_NE(check_path("a.md").ok->key, check_path("b.md").ok->key);
}

TEST(Paths, LanguageAndRawTypeFromTheExtension) {
  EXPECT_EQ(language_of("a.ts"), "typescript");
  EXPECT_EQ(language_of("A.TSX"), "tsx");
  EXPECT_EQ(language_of("x.hpp"), "cpp");
  EXPECT_EQ(language_of("x.yml"), "yaml");
  EXPECT_EQ(language_of("Makefile"), std::nullopt);
  EXPECT_EQ(language_of(".env"), std::nullopt);
  EXPECT_TRUE(is_asset_name("logo.svg"));
  EXPECT_FALSE(is_asset_name("main.rs"));
  EXPECT_EQ(raw_type_of("a.ts").content_type, "text/plain; charset=utf-8");
  EXPECT_FALSE(raw_type_of("a.ts").attachment);
  EXPECT_TRUE(raw_type_of("index.html").attachment);
  EXPECT_TRUE(raw_type_of("logo.svg").attachment);
  EXPECT_EQ(raw_type_of("logo.svg").content_type, "image/svg+xml; charset=utf-8");
  EXPECT_TRUE(raw_type_of("data.json").attachment);
  EXPECT_EQ(attachment_header("caf\xC3\xA9 \"x\".svg"),
            "attachment; filename=\"caf__ _x_.svg\"; filename*=UTF-8''caf%C3%A9%20%22x%22.svg");
}

TEST(Paths, OneLineEnding) {
  EXPECT_EQ(normalise_line_endings("a\r\nb\rc\n\r\n"), "a\nb\nc\n\n");
}

}  // namespace
}  // namespace collabdev::files
