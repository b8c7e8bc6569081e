#include "graph/outbox.hpp"

#include <boost/json/serialize.hpp>

namespace collabdev::graph {

namespace {

constexpr db::Statement insert_row{
    "graph_outbox_insert", "INSERT INTO graph_outbox (project_id, op, payload) VALUES ($1, $2, $3::jsonb)"};

}  // namespace

awaitable<void> record(db::Transaction& tx, std::string_view project_id, std::string_view op,
                       const boost::json::object& payload) {
  co_await tx.query(insert_row, project_id, op, boost::json::serialize(payload));
}

}  // namespace collabdev::graph
