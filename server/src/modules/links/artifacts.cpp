#include "modules/links/artifacts.hpp"

#include <algorithm>

#include "modules/links/hooks.hpp"

namespace collabdev::links {

namespace {

// The `read` and `lock` statements of a type: its rows among ids $2 in project $1.
#define COLLABDEV_ARTIFACT_READ(name, columns, from, where)                                          \
  db::Statement{"links_read_" name,                                                                 \
                "SELECT " columns " FROM " from " WHERE a.project_id = $1 AND a.id = ANY($2::uuid[]) " where}, \
  db::Statement {                                                                                   \
    "links_lock_" name,                                                                             \
        "SELECT " columns " FROM " from " WHERE a.project_id = $1 AND a.id = ANY($2::uuid[]) " where " FOR SHARE" \
  }

#define COLLABDEV_TASK_COLUMNS "a.id::text AS id, a.title, " COLLABDEV_LINKS_TS("a.created_at") " AS created_at"
#define COLLABDEV_FILE_COLUMNS "a.id::text AS id, a.path AS title, " COLLABDEV_LINKS_TS("a.created_at") " AS created_at"
#define COLLABDEV_PAGE_COLUMNS "a.id::text AS id, a.name AS title, " COLLABDEV_LINKS_TS("a.created_at") " AS created_at"
#define COLLABDEV_MESSAGE_COLUMNS \
  "a.id::text AS id, " COLLABDEV_MESSAGE_PREVIEW("a") " AS title, " COLLABDEV_LINKS_TS("a.created_at") " AS created_at"

}  // namespace

void ArtifactTypes::add(ArtifactType type) {
  auto it = std::find_if(types_.begin(), types_.end(), [&](const ArtifactType& t) { return t.name == type.name; });
  if (it != types_.end()) {
    *it = std::move(type);
  } else {
    types_.push_back(std::move(type));
  }
}

const ArtifactType* ArtifactTypes::find(std::string_view name) const {
  for (const auto& t : types_) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::string ArtifactTypes::names() const {
  std::string s;
  for (const auto& t : types_) {
    s += s.empty() ? "" : ", ";
    s += t.name;
  }
  return s;
}

ArtifactTypes standard_artifact_types() {
  ArtifactTypes types;
  types.add({"TASK", COLLABDEV_ARTIFACT_READ("task", COLLABDEV_TASK_COLUMNS, "tasks a", ""),
             {"links_search_task",
              "SELECT " COLLABDEV_TASK_COLUMNS " FROM tasks a WHERE a.project_id = $1 "
              "AND (a.title ILIKE $2 OR a.number = $4::bigint) ORDER BY (a.number = $4::bigint) IS TRUE DESC, "
              "a.created_at DESC, a.id LIMIT $3"}});
  types.add({"FILE", COLLABDEV_ARTIFACT_READ("file", COLLABDEV_FILE_COLUMNS, "files a", ""),
             {"links_search_file",
              "SELECT " COLLABDEV_FILE_COLUMNS " FROM files a WHERE a.project_id = $1 AND a.path ILIKE $2 "
              "AND ($4::bigint IS NULL OR true) ORDER BY a.path, a.id LIMIT $3"}});
  types.add({"PAGE", COLLABDEV_ARTIFACT_READ("page", COLLABDEV_PAGE_COLUMNS, "pages a", ""),
             {"links_search_page",
              "SELECT " COLLABDEV_PAGE_COLUMNS " FROM pages a WHERE a.project_id = $1 AND a.name ILIKE $2 "
              "AND ($4::bigint IS NULL OR true) ORDER BY a.name, a.id LIMIT $3"}});
  // A deleted message keeps its row (a tombstone) but is no longer an artifact.
  types.add({"MESSAGE", COLLABDEV_ARTIFACT_READ("message", COLLABDEV_MESSAGE_COLUMNS, "messages a", "AND a.deleted_at IS NULL"),
             {"links_search_message",
              "SELECT " COLLABDEV_MESSAGE_COLUMNS " FROM messages a WHERE a.project_id = $1 AND a.deleted_at IS NULL "
              "AND a.content ILIKE $2 AND ($4::bigint IS NULL OR true) ORDER BY a.created_at DESC, a.id LIMIT $3"}});
  return types;
}

}  // namespace collabdev::links
