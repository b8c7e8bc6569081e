#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "graph/cypher.hpp"

using namespace collabdev::graph;
namespace bj = boost::json;

namespace {

OutboxRow link_row(std::int64_t id, std::string op, std::string source_type, std::string target_type) {
  bj::object end_s{{"type", source_type}, {"id", "s" + std::to_string(id)}, {"title", "S"}, {"createdAt", "2026-01-01T00:00:00Z"}};
  bj::object end_t{{"type", target_type}, {"id", "t" + std::to_string(id)}, {"title", "T"}, {"createdAt", "2026-01-01T00:00:00Z"}};
  return OutboxRow{id, "p", std::move(op),
                   bj::object{{"id", "l" + std::to_string(id)}, {"kind", "relates"}, {"origin", "USER"},
                              {"createdAt", "2026-01-01T00:00:00Z"}, {"createdBy", "u"},
                              {"source", std::move(end_s)}, {"target", std::move(end_t)}}};
}

}  // namespace

TEST(Cypher, LabelsAndTitlesFollowTheType) {
  EXPECT_EQ(label_of("TASK"), "Task");
  EXPECT_EQ(label_of("MESSAGE"), "Message");
  EXPECT_EQ(label_of("CALL"), "Call");
  EXPECT_THROW(label_of("Task"), std::invalid_argument);
  EXPECT_THROW(label_of("TASK) DETACH DELETE (n"), std::invalid_argument);
  EXPECT_THROW(label_of(""), std::invalid_argument);
  EXPECT_EQ(title_property("TASK"), "title");
  EXPECT_EQ(title_property("FILE"), "name");
  EXPECT_EQ(title_property("MESSAGE"), "contentPreview");
  EXPECT_EQ(title_property("CALL"), "title");
}

TEST(Cypher, ConsecutiveRowsOfOneShapeBecomeOneStatement) {
  std::vector<OutboxRow> rows{link_row(1, "link.upsert", "TASK", "FILE"), link_row(2, "link.upsert", "TASK", "FILE"),
                              link_row(3, "link.upsert", "TASK", "FILE")};
  auto out = plan(rows);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].cypher.find("UNWIND $rows AS r MERGE (a:Task {id: r.source.id})"), std::string::npos);
  EXPECT_NE(out[0].cypher.find("MERGE (b:File {id: r.target.id})"), std::string::npos);
  EXPECT_NE(out[0].cypher.find("b.name = r.target.title"), std::string::npos);
  const auto& list = out[0].parameters.at("rows").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].as_object().at("id"), "l1");
  EXPECT_EQ(list[2].as_object().at("id"), "l3");
  EXPECT_EQ(list[0].as_object().at("projectId"), "p");
}

TEST(Cypher, OrderIsKeptAcrossShapes) {
  std::vector<OutboxRow> rows{link_row(1, "link.upsert", "TASK", "FILE"), link_row(2, "link.delete", "TASK", "FILE"),
                              link_row(3, "link.upsert", "TASK", "FILE"), link_row(4, "link.upsert", "MESSAGE", "TASK")};
  auto out = plan(rows);
  // upsert; delete + orphan cleanup of Task and File; upsert; upsert with other labels
  ASSERT_EQ(out.size(), 6u);
  EXPECT_NE(out[0].cypher.find("MERGE"), std::string::npos);
  EXPECT_NE(out[1].cypher.find("DELETE l"), std::string::npos);
  EXPECT_NE(out[2].cypher.find("MATCH (n:Task {id: id}) WHERE NOT (n)--() DELETE n"), std::string::npos);
  EXPECT_NE(out[3].cypher.find("MATCH (n:File {id: id})"), std::string::npos);
  EXPECT_EQ(out[4].parameters.at("rows").as_array().size(), 1u);
  EXPECT_NE(out[5].cypher.find("(a:Message"), std::string::npos);
}

TEST(Cypher, NodeChangesAndProjectDeletion) {
  std::vector<OutboxRow> rows{
      {1, "p", "node.update", bj::object{{"type", "MESSAGE"}, {"id", "m"}, {"title", "hi"}}},
      {2, "p", "node.delete",
       bj::object{{"type", "TASK"}, {"id", "t"}, {"others", bj::array{bj::object{{"type", "FILE"}, {"id", "f"}}}}}},
      {3, "p", "project.delete", bj::object{}},
  };
  auto out = plan(rows);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NE(out[0].cypher.find("SET n.contentPreview = r.title"), std::string::npos);
  EXPECT_NE(out[1].cypher.find("MATCH (n:Task {id: r.id}) DETACH DELETE n"), std::string::npos);
  EXPECT_NE(out[2].cypher.find("(n:File {id: id})"), std::string::npos);
  EXPECT_EQ(out[2].parameters.at("ids").as_array().size(), 1u);
  EXPECT_EQ(out[3].parameters.at("projectId"), "p");
}

TEST(Cypher, MalformedRowsAreRefused) {
  std::vector<OutboxRow> unknown{{1, "p", "node.explode", bj::object{}}};
  EXPECT_THROW(plan(unknown), std::invalid_argument);
  std::vector<OutboxRow> bad_type{{1, "p", "node.update", bj::object{{"type", "task"}, {"id", "x"}}}};
  EXPECT_THROW(plan(bad_type), std::invalid_argument);
  EXPECT_TRUE(plan({}).empty());
}

TEST(Cypher, SchemaHasAConstraintPerLabel) {
  auto s = schema_statements({"TASK", "FILE"});
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0], "CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE");
}
