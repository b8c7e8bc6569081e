#pragma once
// What the other features call inside their own transactions when one of their artifacts
// changes, so that links and the graph mirror follow in the same transaction: a deleted task,
// file or message loses its links, a renamed one is renamed in the mirror, and a chat message's
// #42 mentions become links (and stop being links when an edit drops them).
//
// Also the link shapes every part of the links module shares (API JSON, outbox payloads, events).
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "bus/bus.hpp"
#include "db/db.hpp"

// The title the API and the mirror show for a message (alias of the messages row given): its text
// with whitespace folded, cut to 120 characters.
#define COLLABDEV_MESSAGE_PREVIEW(m) "left(btrim(regexp_replace(" m ".content, '\\s+', ' ', 'g')), 120)"
#define COLLABDEV_LINKS_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

namespace collabdev::links {

// One end of a link as the API shows it.
struct End {
  std::string type;  // TASK, FILE, PAGE, MESSAGE (or a type registered later)
  std::string id;
  std::string title;
  std::string created_at;
  bool exists = true;
};

struct Link {
  std::string id;
  std::string project_id;
  std::string kind;    // relates, blocks, duplicates, implements, discusses
  std::string origin;  // USER or MENTION
  std::string created_by;
  std::string created_at;
  End source;
  End target;
};

boost::json::object end_json(const End& e);
boost::json::object link_json(const Link& l);

// Outbox rows for the mirror (graph/outbox.hpp).
awaitable<void> mirror_link_created(db::Transaction& tx, const Link& l);
awaitable<void> mirror_link_deleted(db::Transaction& tx, const Link& l);

// After deleting (or soft-deleting) the artifact in `tx`: removes every link it has and tells
// the mirror. Call it after the statement that deleted the row, so that a link created by a
// transaction that held the row until then is seen and removed too.
awaitable<void> artifact_deleted(db::Transaction& tx, std::string_view project_id, std::string_view type,
                                 std::string_view id);
// After renaming the artifact in `tx` (a task's title, a file's path, a message's text): the
// mirrored node takes the new title. Nothing is written when the artifact has no links.
awaitable<void> artifact_renamed(db::Transaction& tx, std::string_view project_id, std::string_view type,
                                 std::string_view id, std::string_view title);

// The links a write made and removed, to publish after its commit.
struct LinkChanges {
  std::vector<Link> created;
  std::vector<Link> deleted;
};

// After inserting (`edited` false) or editing chat message `message_id` by `author_id`: links it
// to every task of the project its text mentions (`#42`, kind `discusses`, origin MENTION) and
// removes the mention links to tasks it no longer mentions; an edit also renames the message's
// node. A link someone made by hand is left alone.
awaitable<LinkChanges> sync_mentions(db::Transaction& tx, std::string_view project_id, std::string_view message_id,
                                     std::string_view author_id, std::string_view content, bool edited);

// After the commit: link.created / link.deleted on the project's links channel. `actor` is
// {id, name} of whoever made the change.
awaitable<void> publish_link_changes(bus::Bus& bus, std::string_view project_id, const LinkChanges& changes,
                                     const boost::json::object& actor);

}  // namespace collabdev::links
