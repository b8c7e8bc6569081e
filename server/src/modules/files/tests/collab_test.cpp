// The editing authority against the real PostgreSQL (TEST_DATABASE_URL; skipped without it):
// concurrent pushes on stale versions converge, for the server and for every editor, to the text
// the log replays to; bad changes are refused and change nothing.
#include <functional>
#include <future>
#include <random>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "db/tests/test_support.hpp"
#include "modules/auth/password_hasher.hpp"
#include "modules/files/files.hpp"

namespace collabdev::files {
namespace {

namespace bj = boost::json;
using db::testing::IoThreads;

constexpr db::Statement make_user{
    "files_test_user",
    "INSERT INTO users (email, password_hash, name) VALUES ('f-' || gen_random_uuid() || '@example.test', 'x', 'Ann') "
    "RETURNING id"};
constexpr db::Statement make_project{
    "files_test_project",
    "WITH p AS (INSERT INTO projects (name, created_by) VALUES ('P', $1) RETURNING id), "
    "m AS (INSERT INTO project_members (project_id, user_id, role) SELECT id, $1, 'MEMBER' FROM p) SELECT id FROM p"};
constexpr db::Statement make_file{
    "files_test_file",
    "INSERT INTO files (project_id, path, path_key, name, type, content, size, created_by, updated_by) "
    "VALUES ($1, $2::text, lower($2::text), $2::text, $3, $4::text, octet_length($4::text), $5, $5) RETURNING id"};
constexpr db::Statement read_file{"files_test_read", "SELECT content, version FROM files WHERE id = $1"};
constexpr db::Statement read_log{"files_test_log",
                                 "SELECT changes::text AS changes FROM file_updates WHERE file_id = $1 ORDER BY version"};

class CollabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = db::testing::test_database_url();
    if (!url) {
      GTEST_SKIP() << "TEST_DATABASE_URL is not set";
    }
    pool_ = db::Pool::create(io_.get_executor(), db::PoolOptions{*url, 12});
    io_.run([&]() -> awaitable<void> { co_await db::migrate(*pool_, COLLABDEV_MIGRATIONS_DIR); });
    bus_ = bus::make_local_bus(io_.get_executor());
    auth_ = std::make_unique<auth::AuthService>(pool_, std::make_shared<auth::PasswordHasher>(1, 4), auth::Options{});
    projects_ = std::make_unique<projects::ProjectsService>(pool_, bus_, *auth_);
    files_ = std::make_unique<FilesService>(pool_, bus_, *projects_, Limits{.file_max_bytes = 4096,
                                                                            .project_max_bytes = 1 << 20,
                                                                            .log_keep = 1000});
    user_ = scalar(make_user);
    project_ = scalar(make_project, user_);
  }
  void TearDown() override {
    if (pool_) {
      pool_->close();
    }
  }

  template <class... Args>
  std::string scalar(const db::Statement& s, Args... args) {
    return io_.run([&]() -> awaitable<std::string> {
      auto r = co_await pool_->query(s, args...);
      co_return std::string(r.get(0, 0));
    });
  }
  std::string file(const std::string& content, const std::string& type = "CODE") {
    return scalar(make_file, project_, "f" + std::to_string(++files_made_) + ".ts", type, content, user_);
  }
  std::pair<std::string, std::int64_t> stored(const std::string& id) {
    return io_.run([&]() -> awaitable<std::pair<std::string, std::int64_t>> {
      auto r = co_await pool_->query(read_file, id);
      co_return std::pair{std::string(r.get(0, "content")), r.get_int(0, "version")};
    });
  }
  PushResult push(const std::string& id, std::int64_t base, const std::string& client, std::string_view changes,
                  const std::string& user = {}) {
    return io_.run([&]() -> awaitable<PushResult> {
      std::vector<bj::value> list{bj::parse(changes)};
      const std::string& who = user.empty() ? user_ : user;
      co_return co_await files_->push(id, base, client, who, list);
    });
  }
  int status_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const ProblemError& e) {
      return e.problem().status;
    }
    return 0;
  }

  IoThreads io_;
  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<projects::ProjectsService> projects_;
  std::unique_ptr<FilesService> files_;
  std::string user_;
  std::string project_;
  int files_made_ = 0;
};

TEST_F(CollabTest, PushAppliesLogsAndPulls) {
  const auto id = file("hello");
  auto r = push(id, 0, "c1", R"([5,[0,""," world 😀"]])");
  EXPECT_EQ(r.version, 1);
  ASSERT_EQ(r.accepted.size(), 1u);
  EXPECT_EQ(stored(id), (std::pair<std::string, std::int64_t>{"hello\n world 😀", 1}));
  auto p = io_.run([&]() -> awaitable<PullResult> { co_return co_await files_->pull(id, 0); });
  ASSERT_EQ(p.updates.size(), 1u);
  EXPECT_EQ(p.updates[0].client_id, "c1");
  EXPECT_EQ(p.updates[0].author_id, user_);
  EXPECT_EQ(p.version, 1);
}

TEST_F(CollabTest, AStalePushIsRebasedOverWhatWasAcceptedSince) {
  const auto id = file("abc");
  push(id, 0, "c1", R"([[0,"X"],3])");              // "Xabc"
  auto r = push(id, 0, "c2", R"([3,[0,"Y"]])");     // made on "abc": appends
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.accepted[0].changes, R"([4,[0,"Y"]])");
  EXPECT_EQ(stored(id).first, "XabcY");
}

TEST_F(CollabTest, RefusesBadChangesAndChangesNothing) {
  const auto id = file("a😀b");
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", R"([2,[0,"x"],2])"); }), 422);  // splits the pair
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", "[3]"); }), 422);                // wrong length
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", R"([[0,"a\r"],4])"); }), 422);   // line break in a line
  EXPECT_EQ(status_of([&] { push(id, 5, "c1", "[4]"); }), 400);                // version from the future
  EXPECT_EQ(status_of([&] { push(id, 0, "", "[4]"); }), 400);
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", R"([[4,")" + std::string(5000, 'x') + R"("]])"); }), 413);
  EXPECT_EQ(stored(id), (std::pair<std::string, std::int64_t>{"a😀b", 0}));
  const auto generated = file("x", "GENERATED");
  EXPECT_EQ(status_of([&] { push(generated, 0, "c1", "[1]"); }), 403);
  const auto stranger = scalar(make_user);
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", "[4]", stranger); }), 404);
  EXPECT_EQ(status_of([&] { push("00000000-0000-0000-0000-000000000000", 0, "c1", "[4]"); }), 404);
}

TEST_F(CollabTest, ACompactedLogSendsClientsTooFarBehindToReload) {
  files_ = std::make_unique<FilesService>(pool_, bus_, *projects_, Limits{.log_keep = 10});
  const auto id = file("");
  for (int i = 0; i < 25; ++i) {
    push(id, i, "c1", i == 0 ? R"([[0,"x"]])" : "[" + std::to_string(i) + R"(,[0,"x"]])");
  }
  auto p = io_.run([&]() -> awaitable<PullResult> { co_return co_await files_->pull(id, 0); });
  EXPECT_TRUE(p.reload);
  EXPECT_EQ(status_of([&] { push(id, 0, "c1", R"([[0,"y"]])"); }), 409);
  auto recent = io_.run([&]() -> awaitable<PullResult> { co_return co_await files_->pull(id, 20); });
  EXPECT_FALSE(recent.reload);
  EXPECT_EQ(recent.updates.size(), 5u);
  EXPECT_EQ(stored(id).first, std::string(25, 'x'));
}

// Editors each type on the version they last saw, concurrently; each then catches up as
// @codemirror/collab does. Everyone ends with the server's text, which is the log replayed.
TEST_F(CollabTest, ConcurrentStalePushesConverge) {
  const std::string initial = "fn main() {\n}\n";
  const auto id = file(initial);
  constexpr int editors = 8;
  constexpr int rounds = 12;
  struct Editor {
    std::int64_t version = 0;  // confirmed
    std::string doc;           // what the editor shows
  };
  std::vector<Editor> eds(editors, Editor{0, initial});
  std::mt19937 rng(11);
  const char* pieces[] = {"a", "\xF0\x9F\x98\x80", "e\xCC\x81", "\n", " "};
  for (int round = 0; round < rounds; ++round) {
    // Every editor makes one change on its own view, then all push at once.
    std::vector<ChangeSet> mine(editors);
    for (int e = 0; e < editors; ++e) {
      // A replacement between two code point boundaries (UTF-16 positions) of the editor's text.
      std::vector<std::int64_t> bounds{0};
      for (std::size_t i = 0; i < eds[e].doc.size();) {
        const auto c = static_cast<unsigned char>(eds[e].doc[i]);
        const int bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        bounds.push_back(bounds.back() + (bytes == 4 ? 2 : 1));
        i += bytes;
      }
      auto from = bounds[rng() % bounds.size()];
      auto to = rng() % 3 == 0 ? bounds[rng() % bounds.size()] : from;
      if (from > to) {
        std::swap(from, to);
      }
      mine[e] = ChangeSet::replace(bounds.back(), from, to, pieces[rng() % 5]);
    }
    std::vector<std::future<PushResult>> pending;
    for (int e = 0; e < editors; ++e) {
      pending.push_back(asio::co_spawn(
          io_.get_executor(),
          [&, e]() -> awaitable<PushResult> {
            std::vector<bj::value> list{bj::value(mine[e].to_json())};
            co_return co_await files_->push(id, eds[e].version, "c" + std::to_string(e), user_, list);
          },
          asio::use_future));
    }
    std::vector<std::int64_t> accepted_at(editors);
    for (int e = 0; e < editors; ++e) {
      try {
        accepted_at[e] = pending[e].get().version;
      } catch (const ProblemError& err) {
        FAIL() << "round " << round << " editor " << e << ": " << err.problem().detail << " doc "
               << eds[e].doc << " change " << mine[e].to_json_text();
      }
    }
    // Each editor receives what was accepted after its version, in order and one update at a
    // time, as receiveUpdates does when it is given them one by one.
    auto all = io_.run([&]() -> awaitable<PullResult> { co_return co_await files_->pull(id, 0); });
    for (int e = 0; e < editors; ++e) {
      auto& ed = eds[e];
      ed.doc = mine[e].apply(ed.doc);
      auto unconfirmed = mine[e];
      for (const auto& u : all.updates) {
        if (u.version > ed.version && u.version < accepted_at[e]) {
          const auto other = ChangeSet::parse(u.changes);
          ed.doc = other.map(unconfirmed, true).apply(ed.doc);
          unconfirmed = unconfirmed.map(other);
        }
      }
      for (const auto& u : all.updates) {
        if (u.version > accepted_at[e]) {
          ed.doc = ChangeSet::parse(u.changes).apply(ed.doc);
        }
      }
      ed.version = all.version;
    }
  }
  const auto [text, version] = stored(id);
  EXPECT_EQ(version, editors * rounds);
  for (int e = 0; e < editors; ++e) {
    EXPECT_EQ(eds[e].doc, text) << "editor " << e;
  }
  // The log replayed from the initial text gives the stored text.
  const auto log = io_.run([&]() -> awaitable<std::vector<std::string>> {
    auto r = co_await pool_->query(read_log, id);
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
      out.emplace_back(r.get(i, "changes"));
    }
    co_return out;
  });
  std::string replayed = initial;
  for (const auto& c : log) {
    replayed = ChangeSet::parse(c).apply(replayed);
  }
  EXPECT_EQ(replayed, text);
}

}  // namespace
}  // namespace collabdev::files
