// Migrations on a fresh database created for the test (and dropped after it).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "db/tests/test_support.hpp"

namespace collabdev::db {
namespace {

using namespace std::chrono_literals;
using testing::IoThreads;

// The test URL with another database name, as a key=value conninfo.
std::string with_database(const std::string& url, const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    if (error != nullptr) {
      PQfreemem(error);
    }
    throw std::runtime_error("cannot parse TEST_DATABASE_URL");
  }
  auto quote = [](std::string_view value) {
    std::string quoted = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') {
        quoted += '\\';
      }
      quoted += c;
    }
    return quoted + "'";
  };
  std::string conninfo;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    const std::string_view keyword = option->keyword;
    if (keyword == "dbname" || option->val == nullptr) {
      continue;
    }
    conninfo += std::string(keyword) + "=" + quote(option->val) + " ";
  }
  PQconninfoFree(options);
  return conninfo + "dbname=" + quote(dbname);
}

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = testing::test_database_url();
    if (!url) {
      GTEST_SKIP() << "TEST_DATABASE_URL is not set";
    }
    std::random_device random;
    const auto suffix = std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000);
    dbname_ = "collabdev_migrate_test_" + suffix;
    dir_ = std::filesystem::temp_directory_path() / ("collabdev-migrations-" + suffix);
    std::filesystem::create_directories(dir_);
    admin_ = Pool::create(io_.get_executor(), PoolOptions{*url, 1});
    io_.run([&]() -> awaitable<void> {
      auto conn = co_await admin_->acquire();
      co_await conn.execute("CREATE DATABASE " + dbname_);
    });
    created_ = true;
    pool_ = Pool::create(io_.get_executor(), PoolOptions{with_database(*url, dbname_), 4});
  }

  void TearDown() override {
    if (pool_) {
      pool_->close();
      pool_.reset();
    }
    if (created_) {
      io_.run([&]() -> awaitable<void> {
        auto conn = co_await admin_->acquire();
        co_await conn.execute("DROP DATABASE IF EXISTS " + dbname_ + " WITH (FORCE)");
      });
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void write(const std::string& file, const std::string& sql) {
    std::ofstream out(dir_ / file);
    out << sql;
    ASSERT_TRUE(out.good());
  }

  void write_standard_set() {
    write("0001_log.sql",
          "CREATE TABLE migration_log (version text NOT NULL);\n"
          "INSERT INTO migration_log VALUES ('0001');\n");
    write("0002_slow.sql",
          "SELECT pg_sleep(0.5);\n"
          "INSERT INTO migration_log VALUES ('0002');\n");
    write("0003_table.sql",
          "CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL);\n"
          "INSERT INTO migration_log VALUES ('0003');\n");
    // Sorted by number, not by name: 10 comes after 9.
    write("10_later.sql", "INSERT INTO migration_log VALUES ('10');\n");
    write("9_earlier.sql", "INSERT INTO migration_log VALUES ('9');\n");
    write("README.md", "not a migration");
  }

  std::int64_t scalar(const std::string& sql) {
    // One statement name per SQL text: a name is bound to its SQL on each connection.
    const std::string name = "test.migrate." + std::to_string(std::hash<std::string>{}(sql));
    return io_.run([&]() -> awaitable<std::int64_t> {
      co_return (co_await pool_->query(Statement{name, sql})).get_int(0, "n");
    });
  }

  IoThreads io_;
  std::string dbname_;
  std::filesystem::path dir_;
  std::shared_ptr<Pool> admin_;
  std::shared_ptr<Pool> pool_;
  bool created_ = false;
};

TEST_F(MigrateTest, TwoConcurrentMigratorsApplyEachFileOnce) {
  write_standard_set();
  const std::string dir = dir_.string();
  auto first = asio::co_spawn(io_.get_executor(), migrate(*pool_, dir), asio::use_future);
  auto second = asio::co_spawn(io_.get_executor(), migrate(*pool_, dir), asio::use_future);
  const MigrationReport a = first.get();
  const MigrationReport b = second.get();

  std::vector<std::string> applied = a.applied;
  applied.insert(applied.end(), b.applied.begin(), b.applied.end());
  const std::vector<std::string> expected = {"0001_log.sql", "0002_slow.sql", "0003_table.sql",
                                             "9_earlier.sql", "10_later.sql"};
  // The lock makes one migrator do everything, in order; the other finds it all recorded.
  EXPECT_TRUE(a.applied == expected || b.applied == expected);
  std::sort(applied.begin(), applied.end());
  std::vector<std::string> sorted_expected = expected;
  std::sort(sorted_expected.begin(), sorted_expected.end());
  EXPECT_EQ(applied, sorted_expected);
  EXPECT_EQ(a.already + b.already, 5u);

  EXPECT_EQ(scalar("SELECT count(*) AS n FROM migration_log"), 5);
  EXPECT_EQ(scalar("SELECT count(DISTINCT version) AS n FROM migration_log"), 5);
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM schema_migrations"), 5);
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM schema_migrations "
                   "WHERE (version, name) IN (('0002', 'slow'), ('10', 'later'))"),
            2);
  // The order of application follows the numbers.
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM (SELECT version, row_number() OVER () AS pos "
                   "FROM migration_log) l WHERE (version, pos) IN "
                   "(('0001', 1), ('0002', 2), ('0003', 3), ('9', 4), ('10', 5))"),
            5);

  const MigrationReport again = io_.run([&]() -> awaitable<MigrationReport> {
    co_return co_await migrate(*pool_, dir);
  });
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.already, 5u);
}

TEST_F(MigrateTest, FailingFileRollsBackAndIsNamed) {
  write("0001_ok.sql", "CREATE TABLE ok_table (id int);\n");
  write("0002_bad.sql", "CREATE TABLE half_done (id int);\nSELECT 1/0;\n");
  write("0003_never.sql", "CREATE TABLE never_table (id int);\n");
  const std::string dir = dir_.string();
  std::optional<Error> failure;
  io_.run([&]() -> awaitable<void> {
    try {
      co_await migrate(*pool_, dir);
    } catch (const Error& error) {
      failure = error;
    }
  });
  ASSERT_TRUE(failure.has_value());
  EXPECT_NE(std::string(failure->what()).find("0002_bad.sql"), std::string::npos)
      << failure->what();
  EXPECT_EQ(failure->sqlstate(), "22012");
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM schema_migrations"), 1);
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'"), 0);
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'never_table'"), 0);
  // The advisory lock was released: another session can take it at once.
  EXPECT_EQ(scalar("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())"), 0);

  // Fixed, the run resumes where it stopped.
  write("0002_bad.sql", "CREATE TABLE half_done (id int);\n");
  const MigrationReport report = io_.run([&]() -> awaitable<MigrationReport> {
    co_return co_await migrate(*pool_, dir);
  });
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0002_bad.sql", "0003_never.sql"}));
  EXPECT_EQ(report.already, 1u);
}

TEST_F(MigrateTest, BadlyNamedFileIsRejected) {
  write("0001_ok.sql", "SELECT 1;\n");
  write("oops.sql", "SELECT 1;\n");
  const std::string dir = dir_.string();
  EXPECT_THROW(io_.run([&]() -> awaitable<MigrationReport> { co_return co_await migrate(*pool_, dir); }),
               std::runtime_error);
}

}  // namespace
}  // namespace collabdev::db
