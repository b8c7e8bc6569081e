// Every trace in ../shared/traces replayed through the editing authority as one editor would send
// it: each transaction is one update (positions converted from code points to UTF-16 units), and
// what is typed while a push is in flight goes in the next push (here: pushes of 100 updates).
// The stored text must end exactly at the trace's endContent, and the log replayed must agree.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <zlib.h>

#include "db/tests/test_support.hpp"
#include "modules/auth/password_hasher.hpp"
#include "modules/files/files.hpp"

namespace collabdev::files {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

constexpr db::Statement make_user{
    "files_trace_user",
    "INSERT INTO users (email, password_hash, name) VALUES ('t-' || gen_random_uuid() || '@example.test', 'x', 'T') "
    "RETURNING id"};
constexpr db::Statement make_project{
    "files_trace_project",
    "WITH p AS (INSERT INTO projects (name, created_by) VALUES ('P', $1) RETURNING id), "
    "m AS (INSERT INTO project_members (project_id, user_id, role) SELECT id, $1, 'MEMBER' FROM p) SELECT id FROM p"};
constexpr db::Statement make_file{
    "files_trace_file",
    "INSERT INTO files (project_id, path, path_key, name, type, content, size, created_by, updated_by) "
    "VALUES ($1, $2::text, lower($2::text), $2::text, 'CODE', $3::text, octet_length($3::text), $4, $4) RETURNING id"};
constexpr db::Statement read_file{"files_trace_read", "SELECT content, version FROM files WHERE id = $1"};

fs::path traces_dir() {
  if (const char* dir = std::getenv("COLLABDEV_TRACES_DIR")) {
    return dir;
  }
  return fs::path(COLLABDEV_SOURCE_DIR) / ".." / "shared" / "traces";
}

std::string gunzip(const fs::path& file) {
  gzFile in = gzopen(file.c_str(), "rb");
  if (in == nullptr) {
    throw std::runtime_error("cannot open " + file.string());
  }
  std::string out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(in, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  gzclose(in);
  return out;
}

std::int64_t utf16_position(std::string_view doc, std::int64_t pos) {
  std::size_t at = 0;
  std::int64_t units = 0;
  for (; pos > 0; --pos) {
    const auto c = static_cast<unsigned char>(doc.at(at));
    const int bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    units += bytes == 4 ? 2 : 1;
    at += bytes;
  }
  return units;
}

TEST(TracePush, EveryTraceThroughTheAuthorityEndsAtItsEndContent) {
  const auto url = db::testing::test_database_url();
  if (!url) {
    GTEST_SKIP() << "TEST_DATABASE_URL is not set";
  }
  const auto dir = traces_dir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "no traces at " << dir << " (the shared folder beside the clone)";
  }
  db::testing::IoThreads io;
  auto pool = db::Pool::create(io.get_executor(), db::PoolOptions{*url, 4});
  io.run([&]() -> awaitable<void> { co_await db::migrate(*pool, COLLABDEV_MIGRATIONS_DIR); });
  auto bus = bus::make_local_bus(io.get_executor());
  auth::AuthService auth(pool, std::make_shared<auth::PasswordHasher>(1, 4), auth::Options{});
  projects::ProjectsService projects(pool, bus, auth);
  FilesService files(pool, bus, projects, Limits{.file_max_bytes = 4 << 20, .project_max_bytes = 64 << 20});
  const auto scalar = [&](const db::Statement& s, std::vector<db::Param> params) {
    return io.run([&]() -> awaitable<std::string> {
      auto r = co_await pool->query_owned(s, params);
      co_return std::string(r.get(0, 0));
    });
  };
  const auto user = scalar(make_user, {});
  const auto project = scalar(make_project, {user});

  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".json.gz")) {
      continue;
    }
    const auto name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const auto trace = bj::parse(gunzip(entry.path())).as_object();
    // A push per 100 transactions costs a transaction each: the longest trace (automerge-paper,
    // 260k transactions, minutes under the sanitizers) runs only when asked for.
    if (trace.at("txns").as_array().size() > 100000 && std::getenv("COLLABDEV_TRACES_ALL") == nullptr) {
      std::cout << "skipping " << name << " (set COLLABDEV_TRACES_ALL=1 to replay it too)\n";
      continue;
    }
    const std::string start(trace.at("startContent").as_string());
    const std::string end(trace.at("endContent").as_string());
    const auto id = scalar(make_file, {project, name + ".txt", start, user});
    std::int64_t version = 0;
    auto length = utf16_length(start);
    // Once the text holds a character outside the BMP, positions are converted against it.
    std::optional<std::string> tracked;
    if (start.find_first_of("\xF0\xF1\xF2\xF3\xF4") != std::string::npos) {
      tracked = start;
    }
    std::vector<bj::value> pending;
    const auto flush = [&] {
      if (pending.empty()) {
        return;
      }
      auto result = io.run([&]() -> awaitable<PushResult> {
        co_return co_await files.push(id, version, "trace-editor", user, pending);
      });
      ASSERT_EQ(result.version, version + static_cast<std::int64_t>(pending.size()));
      version = result.version;
      pending.clear();
    };
    for (const auto& txn : trace.at("txns").as_array()) {
      auto update = ChangeSet::empty(length);
      for (const auto& p : txn.at("patches").as_array()) {
        const auto& patch = p.as_array();
        const auto pos = patch.at(0).to_number<std::int64_t>();
        const auto del = patch.at(1).to_number<std::int64_t>();
        const std::string_view ins = patch.at(2).as_string();
        if (!tracked && ins.find_first_of("\xF0\xF1\xF2\xF3\xF4") != std::string_view::npos) {
          flush();
          tracked = io.run([&]() -> awaitable<std::string> {
            auto r = co_await pool->query(read_file, id);
            co_return std::string(r.get(0, "content"));
          });
          tracked = update.apply(*tracked);  // this transaction's patches so far stay in `update`
        }
        const auto from = tracked ? utf16_position(*tracked, pos) : pos;
        const auto to = tracked ? utf16_position(*tracked, pos + del) : pos + del;
        const auto one = ChangeSet::replace(length, from, to, ins);
        if (tracked) {
          tracked = one.apply(*tracked);
        }
        update = update.compose(one);
        length = one.new_length();
      }
      if (!update.is_empty()) {
        pending.emplace_back(update.to_json());
      }
      if (pending.size() == 100) {
        flush();
      }
    }
    flush();
    const auto [text, stored_version] = io.run([&]() -> awaitable<std::pair<std::string, std::int64_t>> {
      auto r = co_await pool->query(read_file, id);
      co_return std::pair{std::string(r.get(0, "content")), r.get_int(0, "version")};
    });
    EXPECT_EQ(stored_version, version);
    EXPECT_TRUE(text == end) << name << ": the stored text does not end at endContent";
  }
  pool->close();
}

}  // namespace
}  // namespace collabdev::files
