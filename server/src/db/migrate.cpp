// Schema migrations: NNNN_name.sql files applied in order, each once, each in its own transaction,
// under an advisory lock so that several instances starting together do not race.
#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <spdlog/spdlog.h>

#include "db/db.hpp"

namespace collabdev::db {

namespace {

// "CollabDV" in ASCII: the one advisory lock key that serialises migrators.
constexpr std::int64_t kMigrationLockKey = 0x436F6C6C61624456;

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
constexpr Statement kLock{"collabdev.db.migrate.lock", "SELECT pg_advisory_lock($1)"};
constexpr Statement kUnlock{"collabdev.db.migrate.unlock", "SELECT pg_advisory_unlock($1)"};
constexpr Statement kRecorded{"collabdev.db.migrate.recorded",
                              "SELECT version FROM schema_migrations"};
constexpr Statement kRecord{"collabdev.db.migrate.record",
                            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"};

struct MigrationFile {
  std::uint64_t number = 0;
  std::string version;  // the digits as written, e.g. "0003"
  std::string name;     // the part after the underscore, e.g. "tasks_order"
  std::string file;     // "0003_tasks_order.sql"
  std::filesystem::path path;
};

// Reading a handful of small files once at startup; not worth moving off the I/O thread.
std::vector<MigrationFile> list_migrations(const std::string& dir) {
  std::vector<MigrationFile> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    throw std::runtime_error("migrations: cannot read directory " + dir + ": " + ec.message());
  }
  for (const auto& entry : it) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !file.ends_with(".sql")) {
      continue;
    }
    const auto underscore = file.find('_');
    const std::string_view stem(file.data(), file.size() - 4);
    MigrationFile migration;
    const auto [end, parse_ec] =
        std::from_chars(file.data(), file.data() + std::min(underscore, file.size()),
                        migration.number);
    if (underscore == std::string::npos || underscore == 0 || parse_ec != std::errc() ||
        end != file.data() + underscore || underscore + 1 >= stem.size()) {
      throw std::runtime_error("migrations: " + file + " is not named NNNN_name.sql");
    }
    migration.version = file.substr(0, underscore);
    migration.name = std::string(stem.substr(underscore + 1));
    migration.file = file;
    migration.path = entry.path();
    files.push_back(std::move(migration));
  }
  std::sort(files.begin(), files.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.number < b.number; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].number == files[i - 1].number) {
      throw std::runtime_error("migrations: " + files[i - 1].file + " and " + files[i].file +
                               " share a version number");
    }
  }
  return files;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("migrations: cannot open " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw std::runtime_error("migrations: cannot read " + path.string());
  }
  return text.str();
}

// The same error, its message prefixed with the file that failed.
std::exception_ptr name_the_file(std::exception_ptr failure, const std::string& file) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& error) {
    return std::make_exception_ptr(
        Error("migration " + file + " failed: " + error.what(), error.sqlstate()));
  } catch (const std::exception& error) {
    return std::make_exception_ptr(
        std::runtime_error("migration " + file + " failed: " + error.what()));
  }
  return failure;
}

awaitable<MigrationReport> apply_all(Connection& conn, const std::vector<MigrationFile>& files) {
  MigrationReport report;
  co_await conn.execute(kCreateTable);
  std::set<std::string> recorded;
  const Result rows = co_await conn.query(kRecorded);
  for (int row = 0; row < rows.rows(); ++row) {
    recorded.emplace(rows.get(row, 0));
  }
  for (const MigrationFile& migration : files) {
    if (recorded.contains(migration.version)) {
      ++report.already;
      continue;
    }
    std::exception_ptr failure;
    try {
      const std::string sql = read_file(migration.path);
      co_await conn.execute("BEGIN");
      co_await conn.execute(sql);
      co_await conn.query(kRecord, migration.version, migration.name);
      co_await conn.execute("COMMIT");
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      std::exception_ptr rollback_failure;
      try {
        co_await conn.execute("ROLLBACK");
      } catch (...) {
        rollback_failure = std::current_exception();
      }
      if (rollback_failure) {
        // The connection is gone; the server rolled the transaction back when it closed.
        spdlog::warn("migration {}: rollback failed too", migration.file);
      }
      std::rethrow_exception(name_the_file(failure, migration.file));
    }
    spdlog::info("migration {} applied", migration.file);
    report.applied.push_back(migration.file);
  }
  co_return report;
}

}  // namespace

awaitable<MigrationReport> migrate(Pool& pool, const std::string& migrations_dir) {
  const std::vector<MigrationFile> files = list_migrations(migrations_dir);
  Connection conn = co_await pool.acquire();
  // A migration may rightly take long, and a second migrator waits for the first: the pool's
  // timeouts are lifted for this session, and put back (RESET) before the connection returns.
  co_await conn.execute("SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0");
  // Session-level lock on this connection: a second migrator waits here until the first is done,
  // then finds every file recorded.
  co_await conn.query(kLock, kMigrationLockKey);
  MigrationReport report;
  std::exception_ptr failure;
  try {
    report = co_await apply_all(conn, files);
  } catch (...) {
    failure = std::current_exception();
  }
  std::exception_ptr unlock_failure;
  try {
    co_await conn.query(kUnlock, kMigrationLockKey);
  } catch (...) {
    unlock_failure = std::current_exception();
  }
  if (unlock_failure) {
    // Only possible when the connection broke, which released the lock with the session.
    spdlog::warn("migrations: advisory unlock failed");
  } else {
    co_await conn.execute("RESET statement_timeout; RESET lock_timeout; RESET idle_in_transaction_session_timeout");
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  co_return report;
}

}  // namespace collabdev::db
