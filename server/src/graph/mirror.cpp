#include "graph/mirror.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "graph/cypher.hpp"

namespace collabdev::graph {

namespace bj = boost::json;

namespace {

// Any fixed number unique in the database: one replaying instance at a time.
constexpr db::Statement try_lock{"graph_mirror_try_lock", "SELECT pg_try_advisory_xact_lock(7231604) AS locked"};

constexpr db::Statement read_rows{
    "graph_mirror_read",
    "SELECT id, project_id::text AS project_id, op, payload::text AS payload FROM graph_outbox ORDER BY id LIMIT $1"};

constexpr db::Statement backlog{
    "graph_mirror_backlog",
    "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag FROM graph_outbox"};

constexpr db::Statement delete_rows{"graph_mirror_delete", "DELETE FROM graph_outbox WHERE id = ANY($1::bigint[])"};

}  // namespace

Mirror::Mirror(executor ex, std::shared_ptr<db::Pool> pool, std::shared_ptr<Neo4jClient> neo4j,
               std::vector<std::string> types, MirrorOptions options)
    // One strand: the round loop and stop() (which cancels the timer) never run at once.
    : executor_(asio::make_strand(ex)),
      pool_(std::move(pool)),
      neo4j_(std::move(neo4j)),
      types_(std::move(types)),
      options_(options),
      timer_(std::make_shared<asio::steady_timer>(executor_)) {}

void Mirror::start() {
  asio::co_spawn(executor_, [self = shared_from_this()]() { return self->run(); }, [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("graph mirror stopped: {}", ex.what());
      }
    }
  });
}

void Mirror::stop() {
  stopped_ = true;
  asio::post(executor_, [timer = timer_] { timer->cancel(); });
}

MirrorStatus Mirror::status() const {
  std::lock_guard lock(mutex_);
  auto s = status_;
  s.degraded = !s.neo4j_up ||
               (s.pending > 0 && s.lag_seconds * 1000.0 > static_cast<double>(options_.degraded_after.count()));
  return s;
}

awaitable<void> Mirror::ensure_schema() {
  for (const auto& statement : schema_statements(types_)) {
    co_await neo4j_->run(statement, bj::object());
  }
  schema_ready_ = true;
}

awaitable<std::size_t> Mirror::round() {
  if (!schema_ready_) {
    co_await ensure_schema();
  }
  auto tx = co_await pool_->begin();
  auto locked = co_await tx.query(try_lock);
  if (!locked.get_bool(0, "locked")) {
    co_return 0;  // another instance is replaying
  }
  auto b = co_await tx.query(backlog);
  {
    std::lock_guard lock(mutex_);
    status_.pending = b.get_int(0, "n");
    status_.lag_seconds = std::stod(std::string(b.get(0, "lag")));
  }
  auto r = co_await tx.query(read_rows, static_cast<std::int64_t>(options_.batch));
  if (r.empty()) {
    // Nothing to replay: still check that Neo4j answers, so that readiness tells the truth.
    co_await neo4j_->run("RETURN 1", bj::object());
    co_return 0;
  }
  std::vector<OutboxRow> rows;
  std::string ids = "{";
  for (int i = 0; i < r.rows(); ++i) {
    OutboxRow row;
    row.id = r.get_int(i, "id");
    row.project_id = r.get(i, "project_id");
    row.op = r.get(i, "op");
    row.payload = bj::parse(r.get(i, "payload")).as_object();
    ids += (i == 0 ? "" : ",") + std::to_string(row.id);
    rows.push_back(std::move(row));
  }
  ids += "}";
  for (auto& statement : plan(rows)) {
    co_await neo4j_->run(std::move(statement.cypher), std::move(statement.parameters));
  }
  co_await tx.query(delete_rows, ids);
  co_await tx.commit();
  {
    std::lock_guard lock(mutex_);
    status_.applied += rows.size();
    status_.pending = std::max<std::int64_t>(0, status_.pending - static_cast<std::int64_t>(rows.size()));
    if (status_.pending == 0) {
      status_.lag_seconds = 0;
    }
  }
  co_return rows.size();
}

awaitable<void> Mirror::run() {
  auto self = shared_from_this();
  auto backoff = options_.first_backoff;
  while (!stopped_) {
    std::chrono::milliseconds wait = options_.poll;
    try {
      const auto n = co_await round();
      {
        std::lock_guard lock(mutex_);
        status_.neo4j_up = true;
        status_.last_error.clear();
      }
      backoff = options_.first_backoff;
      if (n == options_.batch) {
        wait = std::chrono::milliseconds(0);  // more to replay
      }
    } catch (const std::exception& e) {
      // Neo4j or PostgreSQL failed: the rows stay in the outbox and the next round replays them.
      const bool neo4j = dynamic_cast<const Neo4jError*>(&e) != nullptr;
      {
        std::lock_guard lock(mutex_);
        if (neo4j) {
          status_.neo4j_up = false;
        }
        if (status_.last_error != e.what()) {
          spdlog::warn("graph mirror: {} (retrying in {} ms)", e.what(), backoff.count());
        }
        status_.last_error = e.what();
      }
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    if (stopped_) {
      break;
    }
    if (wait.count() > 0) {
      timer_->expires_after(wait);
      boost::system::error_code ec;
      co_await timer_->async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
}

}  // namespace collabdev::graph
