#pragma once
// How outbox rows (outbox.hpp) become Cypher for Neo4j's Query API: pure, no I/O.
//
// Consecutive rows of the same operation on the same labels become one `UNWIND $rows ... MERGE`
// statement, and statements keep the rows' order, so replaying a batch applies the changes in the
// order they were committed. Every statement is idempotent (MERGE on id, MATCH ... DELETE), so a
// batch that failed half-way is simply replayed.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace collabdev::graph {

struct OutboxRow {
  std::int64_t id = 0;
  std::string project_id;
  std::string op;
  boost::json::object payload;
};

struct CypherStatement {
  std::string cypher;
  boost::json::object parameters;
};

// The node label of an artifact type: TASK -> Task, MESSAGE -> Message. Throws
// std::invalid_argument unless the type is 1 to 32 of A-Z (labels are written into Cypher).
std::string label_of(std::string_view type);
// The property that holds an artifact's title: Task.title, File.name, Page.name,
// Message.contentPreview, `title` for any other type.
std::string title_property(std::string_view type);

// The statements that replay `rows`, in order. Rows with an unknown op or a malformed payload
// throw std::invalid_argument (they cannot come from this server).
std::vector<CypherStatement> plan(const std::vector<OutboxRow>& rows);

// Uniqueness constraints on id and an index on projectId for each type's label, and an index on
// the relationships' id: created once at start, idempotently.
std::vector<std::string> schema_statements(const std::vector<std::string>& types);

}  // namespace collabdev::graph
