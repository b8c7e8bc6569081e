#pragma once
// The graph mirror: replays the outbox (outbox.hpp) into Neo4j, in batches, in id order.
//
// One round, in one PostgreSQL transaction: take the mirror's advisory lock (one instance
// replays at a time; the others wait their turn), read the oldest rows, send them to Neo4j as
// the statements of cypher.hpp, delete them, commit. When Neo4j fails the transaction rolls back
// and the rows stay: the next round, after a backoff that doubles up to max_backoff, replays them
// (every statement is idempotent). Neo4j down for minutes loses nothing; it catches up when back.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "graph/neo4j_client.hpp"

namespace collabdev::graph {

struct MirrorOptions {
  std::size_t batch = 500;                        // outbox rows per round
  std::chrono::milliseconds poll{250};            // between rounds when the outbox is empty
  std::chrono::milliseconds first_backoff{500};   // after a failure, doubling...
  std::chrono::milliseconds max_backoff{30000};   // ...up to this
  std::chrono::milliseconds degraded_after{5000}; // the oldest pending row older than this: degraded
};

struct MirrorStatus {
  std::int64_t pending = 0;     // outbox rows not yet in Neo4j (as of the last round)
  double lag_seconds = 0;       // age of the oldest of them
  bool neo4j_up = false;        // the last round reached Neo4j
  std::uint64_t applied = 0;    // rows replayed since start
  std::string last_error;
  bool degraded = false;        // behind by more than degraded_after, or Neo4j unreachable
};

class Mirror : public std::enable_shared_from_this<Mirror> {
 public:
  // `types`: the registered artifact types, for the Neo4j schema (constraints and indexes).
  Mirror(executor ex, std::shared_ptr<db::Pool> pool, std::shared_ptr<Neo4jClient> neo4j,
         std::vector<std::string> types, MirrorOptions options = {});
  void start();
  void stop();
  MirrorStatus status() const;

 private:
  awaitable<void> run();
  // One round; returns the number of rows replayed.
  awaitable<std::size_t> round();
  awaitable<void> ensure_schema();

  executor executor_;
  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<Neo4jClient> neo4j_;
  std::vector<std::string> types_;
  MirrorOptions options_;
  std::atomic<bool> stopped_{false};
  bool schema_ready_ = false;
  mutable std::mutex mutex_;
  MirrorStatus status_;  // guarded by mutex_
  std::shared_ptr<asio::steady_timer> timer_;
};

}  // namespace collabdev::graph
