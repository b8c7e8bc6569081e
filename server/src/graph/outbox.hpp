#pragma once
// The graph mirror's outbox (table graph_outbox): a change to a link or a linked artifact is
// recorded here in the transaction that makes it, and the mirror (mirror.hpp) replays the rows
// into Neo4j in id order. Operations and their payloads:
//   link.upsert     {id, kind, origin, createdAt, createdBy, source: End, target: End}
//                   End = {type, id, title, createdAt}
//   link.delete     {id, source: {type, id}, target: {type, id}}
//   node.update     {type, id, title}            (a rename: only nodes already mirrored change)
//   node.delete     {type, id, others: [{type, id}]}  (the artifact and its links are gone)
//   project.delete  {}                           (every node of the project)
#include <string_view>

#include <boost/json/object.hpp>

#include "db/db.hpp"

namespace collabdev::graph {

awaitable<void> record(db::Transaction& tx, std::string_view project_id, std::string_view op,
                       const boost::json::object& payload);

}  // namespace collabdev::graph
