#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "http/static_files.hpp"

using namespace collabdev::http;
namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("collabdev-static-" + std::to_string(::getpid()));
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<html>app</html>";
    std::ofstream(root / "assets" / "app-1234.js") << "console.log(1)";
    std::ofstream(root.parent_path() / "secret.txt") << "secret";
  }
  void TearDown() override { fs::remove_all(root); }
  Response get(const std::string& path, std::string inm = {}) {
    Request r;
    r.path = path;
    if (!inm.empty()) {
      r.headers.emplace_back("if-none-match", inm);
    }
    return files->serve(r);
  }
  fs::path root;
  std::unique_ptr<StaticFiles> files;
};

TEST_F(StaticFilesTest, ServesWithTypesAndCaching) {
  files = std::make_unique<StaticFiles>(root);
  auto js = get("/assets/app-1234.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log(1)");
  std::string etag;
  for (auto& [k, v] : js.headers) {
    if (k == "ETag") {
      etag = v;
    }
    if (k == "Cache-Control") {
      EXPECT_NE(v.find("immutable"), std::string::npos);
    }
  }
  EXPECT_EQ(get("/assets/app-1234.js", etag).status, 304);
}

TEST_F(StaticFilesTest, FallsBackToIndexForClientRoutes) {
  files = std::make_unique<StaticFiles>(root);
  auto r = get("/projects/123/board");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>app</html>");
  EXPECT_EQ(get("/missing.js").status, 404);
}

// Everything under /projects/ is the app's, also a file's address whose last segment is its name.
TEST_F(StaticFilesTest, ProjectAddressesWithDotsAreClientRoutes) {
  files = std::make_unique<StaticFiles>(root);
  auto r = get("/projects/123/code/src/app.ts");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>app</html>");
  EXPECT_EQ(get("/projects/123/code/.env").status, 200);
  EXPECT_EQ(get("/assets/missing-1.js").status, 404);
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  files = std::make_unique<StaticFiles>(root);
  EXPECT_NE(get("/../secret.txt").body, "secret");
  EXPECT_NE(get("/%2e%2e/secret.txt").body, "secret");
  EXPECT_NE(get("/assets/%2e%2e/%2e%2e/secret.txt").body, "secret");
  EXPECT_NE(get("/%00").body, "secret");
}
