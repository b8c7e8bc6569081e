#pragma once
// The shared code tree of a project: files with their paths, types and languages (REST, in
// files.cpp), and the authority that orders every change made to a file's text by editors
// working together (push and pull, in collab.cpp): PostgreSQL's edit log is the authority
// across instances, an update is accepted once it is committed there.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.hpp"
#include "db/db.hpp"
#include "http/router.hpp"
#include "modules/auth/auth.hpp"
#include "modules/files/changeset.hpp"
#include "modules/projects/projects.hpp"

namespace collabdev::files {

struct Limits {
  std::size_t file_max_bytes = 1024 * 1024;
  std::size_t project_max_bytes = 100 * 1024 * 1024;
  std::size_t log_keep = 1000;  // entries kept when the log is compacted
};

// One accepted change as the log holds it: the version it produced, who made it, the change in
// the editor's JSON form (UTF-16 positions) and when it was committed.
struct Update {
  std::int64_t version = 0;
  std::string client_id;
  std::string author_id;
  std::string changes;     // JSON text of a ChangeSet
  std::string created_at;  // RFC 3339, UTC
};

struct PushResult {
  std::int64_t version = 0;     // the file's version after the push
  std::vector<Update> accepted; // the pushed updates as stored (rebased when the push was stale)
};

struct PullResult {
  std::int64_t version = 0;     // the file's current version
  std::vector<Update> updates;  // every update after the version asked for, in order
  bool reload = false;          // that version was compacted away: reload the whole file
};

class FilesService {
 public:
  FilesService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, projects::ProjectsService& projects,
               Limits limits);

  void register_routes(http::Router& router);

  // ---- the authority, for the file room (no WebSocket here) ----
  // Accepts `changes` (ChangeSet JSON values, one per update, in order) made by `user_id`'s
  // editor `client_id` on `base_version`: in one transaction, takes the project's content lock
  // (re-reading the user's role), locks the file row, rebases the changes over the updates
  // accepted since `base_version` as the editor itself will, applies them to the text, stores the
  // text and the new version, and appends them to the log. Returns once committed, then
  // publishes them on channels::file_edits. Throws ProblemError: 404 (no such file, or not a
  // member), 403 (GENERATED file), 409 `reload` (base_version compacted away), 422 naming
  // `changes` with the ChangeError code, 413 naming `content` (size limits), 400 for a version
  // from the future or a bad client id.
  awaitable<PushResult> push(const std::string& file_id, std::int64_t base_version, const std::string& client_id,
                             const std::string& user_id, const std::vector<boost::json::value>& changes);
  // The updates after `since_version` (the caller has checked that the user may read the file).
  awaitable<PullResult> pull(const std::string& file_id, std::int64_t since_version);
  // The file's project (canonical), or empty when there is no such file: for the room's
  // membership check.
  awaitable<std::optional<std::string>> project_of(const std::string& file_id);

  // ---- for the page builder: GENERATED files are written only here ----
  // Creates the file at `path` or replaces its whole text (as one logged update, so that open
  // editors follow). Returns the file id.
  awaitable<std::string> write_generated(const std::string& project_id, std::string_view path, std::string content,
                                         const std::string& author_id);

 private:
  awaitable<http::Response> list(http::Request& req);
  awaitable<http::Response> create(http::Request& req);
  awaitable<http::Response> get(http::Request& req);
  awaitable<http::Response> rename(http::Request& req);
  awaitable<http::Response> remove(http::Request& req);
  awaitable<http::Response> raw(http::Request& req);
  awaitable<http::Response> history(http::Request& req);

  // 413 naming `content` when a file of `new_size` bytes is too large, or would take the
  // project past its limit (`file_id` empty for a new file).
  awaitable<void> check_sizes(db::Transaction& tx, const std::string& project_id, const std::string& file_id,
                              std::size_t new_size);
  awaitable<void> publish_tree(const std::string& project_id, std::string_view type, std::string data);
  awaitable<void> publish_updates(const std::string& file_id, const std::vector<Update>& updates);

  std::shared_ptr<db::Pool> pool_;
  std::shared_ptr<bus::Bus> bus_;
  projects::ProjectsService& projects_;
  Limits limits_;
};

}  // namespace collabdev::files
