#include "modules/links/hooks.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "graph/outbox.hpp"
#include "modules/links/mentions.hpp"

namespace collabdev::links {

namespace bj = boost::json;

namespace {

constexpr db::Statement delete_links_of{
    "links_delete_of_artifact",
    "DELETE FROM artifact_links WHERE project_id = $1 AND ((source_type = $2 AND source_id = $3::uuid) "
    "OR (target_type = $2 AND target_id = $3::uuid)) "
    "RETURNING CASE WHEN source_type = $2 AND source_id = $3::uuid THEN target_type ELSE source_type END AS other_type, "
    "(CASE WHEN source_type = $2 AND source_id = $3::uuid THEN target_id ELSE source_id END)::text AS other_id"};

constexpr db::Statement has_links{
    "links_has_links",
    "SELECT EXISTS (SELECT 1 FROM artifact_links WHERE project_id = $1 AND ((source_type = $2 AND source_id = $3::uuid) "
    "OR (target_type = $2 AND target_id = $3::uuid))) AS linked"};

constexpr db::Statement mentioned_tasks{
    "links_mentioned_tasks",
    "SELECT t.id::text AS id, t.title, " COLLABDEV_LINKS_TS("t.created_at") " AS created_at FROM tasks t "
    "WHERE t.project_id = $1 AND t.number = ANY($2::bigint[]) ORDER BY t.number FOR SHARE"};

constexpr db::Statement message_end{
    "links_message_end",
    "SELECT " COLLABDEV_MESSAGE_PREVIEW("m") " AS title, " COLLABDEV_LINKS_TS("m.created_at") " AS created_at "
    "FROM messages m WHERE m.id = $1"};

constexpr db::Statement delete_stale_mentions{
    "links_delete_stale_mentions",
    "DELETE FROM artifact_links l WHERE l.project_id = $1 AND l.origin = 'MENTION' AND l.source_type = 'MESSAGE' "
    "AND l.source_id = $2 AND l.target_type = 'TASK' AND NOT (l.target_id = ANY($3::uuid[])) "
    "RETURNING l.id::text AS id, l.kind, l.origin, l.created_by::text AS created_by, "
    COLLABDEV_LINKS_TS("l.created_at") " AS created_at, l.target_id::text AS target_id, "
    "coalesce((SELECT t.title FROM tasks t WHERE t.id = l.target_id), '') AS target_title, "
    "(SELECT " COLLABDEV_LINKS_TS("t.created_at") " FROM tasks t WHERE t.id = l.target_id) AS target_created_at"};

// A mention adds nothing when the message and the task are linked already, either way round.
constexpr db::Statement insert_mention{
    "links_insert_mention",
    "INSERT INTO artifact_links AS l (project_id, source_type, source_id, target_type, target_id, created_by, kind, origin) "
    "SELECT $1::uuid, 'MESSAGE', $2::uuid, 'TASK', $3::uuid, $4::uuid, 'discusses', 'MENTION' "
    "WHERE NOT EXISTS (SELECT 1 FROM artifact_links x WHERE x.project_id = $1::uuid AND x.source_type = 'TASK' "
    "AND x.source_id = $3::uuid AND x.target_type = 'MESSAGE' AND x.target_id = $2::uuid) "
    "ON CONFLICT DO NOTHING RETURNING l.id::text AS id, " COLLABDEV_LINKS_TS("l.created_at") " AS created_at"};

bj::object mirror_end(const End& e) {
  return bj::object{{"type", e.type}, {"id", e.id}, {"title", e.title}, {"createdAt", e.created_at}};
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string s = "{";
  for (const auto& i : items) {
    if (s.size() > 1) {
      s += ',';
    }
    s += i;  // uuids and numbers only: nothing to quote
  }
  s += '}';
  return s;
}

}  // namespace

bj::object end_json(const End& e) {
  return bj::object{{"type", e.type}, {"id", e.id}, {"title", e.title}, {"exists", e.exists}};
}

bj::object link_json(const Link& l) {
  return bj::object{{"id", l.id},
                    {"project_id", l.project_id},
                    {"kind", l.kind},
                    {"origin", l.origin},
                    {"created_by", l.created_by},
                    {"created_at", l.created_at},
                    {"source", end_json(l.source)},
                    {"target", end_json(l.target)}};
}

// Payloads are built before co_await: g++ 12 miscompiles braced initializer lists across it.
awaitable<void> mirror_link_created(db::Transaction& tx, const Link& l) {
  bj::object payload;
  payload["id"] = l.id;
  payload["kind"] = l.kind;
  payload["origin"] = l.origin;
  payload["createdAt"] = l.created_at;
  payload["createdBy"] = l.created_by;
  payload["source"] = mirror_end(l.source);
  payload["target"] = mirror_end(l.target);
  co_await graph::record(tx, l.project_id, "link.upsert", payload);
}

awaitable<void> mirror_link_deleted(db::Transaction& tx, const Link& l) {
  bj::object source;
  source["type"] = l.source.type;
  source["id"] = l.source.id;
  bj::object target;
  target["type"] = l.target.type;
  target["id"] = l.target.id;
  bj::object payload;
  payload["id"] = l.id;
  payload["source"] = std::move(source);
  payload["target"] = std::move(target);
  co_await graph::record(tx, l.project_id, "link.delete", payload);
}

awaitable<void> artifact_deleted(db::Transaction& tx, std::string_view project_id, std::string_view type,
                                 std::string_view id) {
  auto r = co_await tx.query(delete_links_of, project_id, type, id);
  if (r.empty()) {
    co_return;  // never linked: the mirror has no node for it
  }
  bj::array others;
  for (int i = 0; i < r.rows(); ++i) {
    bj::object other;
    other["type"] = r.get(i, "other_type");
    other["id"] = r.get(i, "other_id");
    others.push_back(std::move(other));
  }
  bj::object payload;
  payload["type"] = type;
  payload["id"] = id;
  payload["others"] = std::move(others);
  co_await graph::record(tx, project_id, "node.delete", payload);
}

awaitable<void> artifact_renamed(db::Transaction& tx, std::string_view project_id, std::string_view type,
                                 std::string_view id, std::string_view title) {
  auto r = co_await tx.query(has_links, project_id, type, id);
  if (!r.get_bool(0, "linked")) {
    co_return;
  }
  bj::object payload;
  payload["type"] = type;
  payload["id"] = id;
  payload["title"] = title;
  co_await graph::record(tx, project_id, "node.update", payload);
}

awaitable<LinkChanges> sync_mentions(db::Transaction& tx, std::string_view project_id, std::string_view message_id,
                                     std::string_view author_id, std::string_view content, bool edited) {
  LinkChanges changes;
  std::vector<std::string> numbers;
  for (auto n : parse_mentions(content)) {
    numbers.push_back(std::to_string(n));
  }
  db::Result tasks;
  if (!numbers.empty()) {
    const auto number_list = array_literal(numbers);
    tasks = co_await tx.query(mentioned_tasks, project_id, number_list);
  }
  std::vector<std::string> task_ids;
  for (int i = 0; i < tasks.rows(); ++i) {
    task_ids.emplace_back(tasks.get(i, "id"));
  }
  auto m = co_await tx.query(message_end, message_id);
  if (m.empty()) {
    co_return changes;
  }
  End message{"MESSAGE", std::string(message_id), std::string(m.get(0, "title")), std::string(m.get(0, "created_at"))};
  if (edited) {
    co_await artifact_renamed(tx, project_id, "MESSAGE", message_id, message.title);
  }

  const auto task_list = array_literal(task_ids);
  auto stale = co_await tx.query(delete_stale_mentions, project_id, message_id, task_list);
  for (int i = 0; i < stale.rows(); ++i) {
    Link l{std::string(stale.get(i, "id")), std::string(project_id), std::string(stale.get(i, "kind")),
           std::string(stale.get(i, "origin")), std::string(stale.get(i, "created_by")),
           std::string(stale.get(i, "created_at")), message,
           End{"TASK", std::string(stale.get(i, "target_id")), std::string(stale.get(i, "target_title")),
               std::string(stale.get_optional(i, "target_created_at").value_or("")), true}};
    co_await mirror_link_deleted(tx, l);
    changes.deleted.push_back(std::move(l));
  }
  for (int i = 0; i < tasks.rows(); ++i) {
    auto r = co_await tx.query(insert_mention, project_id, message_id, tasks.get(i, "id"), author_id);
    if (r.empty()) {
      continue;  // linked already
    }
    Link l{std::string(r.get(0, "id")), std::string(project_id), "discusses", "MENTION", std::string(author_id),
           std::string(r.get(0, "created_at")), message,
           End{"TASK", std::string(tasks.get(i, "id")), std::string(tasks.get(i, "title")),
               std::string(tasks.get(i, "created_at")), true}};
    co_await mirror_link_created(tx, l);
    changes.created.push_back(std::move(l));
  }
  co_return changes;
}

awaitable<void> publish_link_changes(bus::Bus& bus, std::string_view project_id, const LinkChanges& changes,
                                     const bj::object& actor) {
  const auto channel = channels::project_links(project_id);
  const auto room = channels::project_room(project_id);
  auto send = [&](std::string_view type, const Link& l) -> awaitable<void> {
    bj::object ev{{"type", type}, {"room", room}, {"actor", actor}, {"data", link_json(l)}};
    if (!co_await bus.publish(channel, bj::serialize(ev))) {
      spdlog::warn("link event for project {} not published: bus unreachable", project_id);
    }
  };
  for (const auto& l : changes.deleted) {
    co_await send("link.deleted", l);
  }
  for (const auto& l : changes.created) {
    co_await send("link.created", l);
  }
}

}  // namespace collabdev::links
