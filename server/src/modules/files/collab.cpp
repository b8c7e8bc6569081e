// The authority for editing a file together, in the form @codemirror/collab expects: an update is
// accepted once it is committed in the edit log (file_updates), which orders every update of a
// file across instances; files.content follows the log in the same transaction.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "core/ids.hpp"
#include "modules/files/files.hpp"
#include "modules/files/paths.hpp"
#include "modules/files/queries.hpp"

namespace collabdev::files {

namespace bj = boost::json;
using projects::Action;
using projects::ProjectLock;

namespace {

constexpr std::size_t max_client_id = 64;
constexpr std::size_t max_updates_per_push = 100;
// A pull answers at most this many updates; the client asks again from the last one.
constexpr int max_pull = 1000;

[[noreturn]] void change_refused(const ChangeError& e, std::size_t index) {
  auto p = problems::make(422, "bad-change", "The change cannot be applied.",
                          std::string(change_error_name(e.code())) + ": " + e.what() + " (update " +
                              std::to_string(index) + ")");
  p.errors.push_back({"changes", std::string(change_error_name(e.code()))});
  fail(std::move(p));
}

std::string canonical_file_id(const std::string& file_id) { return ids::canonical_or_404(file_id, "No such file."); }

std::vector<Update> read_updates(const db::Result& r) {
  std::vector<Update> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(Update{r.get_int(i, "version"), std::string(r.get(i, "client_id")), std::string(r.get(i, "author_id")),
                         std::string(r.get(i, "changes")), std::string(r.get(i, "created_at"))});
  }
  return out;
}

}  // namespace

awaitable<std::optional<std::string>> FilesService::project_of(const std::string& file_id) {
  const auto id = ids::canonical(file_id);
  if (!id) {
    co_return std::nullopt;
  }
  auto r = co_await pool_->query(sql::project_of_file, *id);
  if (r.empty()) {
    co_return std::nullopt;
  }
  co_return std::string(r.get(0, "project_id"));
}

awaitable<PushResult> FilesService::push(const std::string& file_id_in, std::int64_t base_version,
                                         const std::string& client_id, const std::string& user_id,
                                         const std::vector<bj::value>& changes) {
  const auto file_id = canonical_file_id(file_id_in);
  if (client_id.empty() || client_id.size() > max_client_id) {
    fail(problems::bad_request("client_id must be 1 to 64 characters", "client_id"));
  }
  if (changes.empty() || changes.size() > max_updates_per_push) {
    fail(problems::bad_request("a push holds 1 to 100 updates", "changes"));
  }
  std::vector<ChangeSet> pushed;
  pushed.reserve(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    try {
      pushed.push_back(ChangeSet::from_json(changes[i]));
    } catch (const ChangeError& e) {
      change_refused(e, i);
    }
  }
  const auto owner = co_await project_of(file_id);
  if (!owner) {
    fail(problems::not_found("No such file."));
  }

  auto tx = co_await pool_->begin();
  // The project first, then the file: the lock order of every project write.
  projects::Scope scope{*owner, user_id, projects::Role::member};
  co_await projects_.lock(tx, scope, Action::view_project, ProjectLock::content);
  auto file = co_await tx.query(sql::lock_file, file_id);
  if (file.empty()) {
    fail(problems::not_found("No such file."));
  }
  if (file.get(0, "type") == "GENERATED") {
    fail(problems::make(403, "generated-file", "The file is generated.",
                        "GENERATED files are written by the page builder and are read-only for people."));
  }
  const auto version = file.get_int(0, "version");
  const auto log_start = file.get_int(0, "log_start");
  if (base_version > version || base_version < 0) {
    fail(problems::bad_request("version is ahead of the file's version " + std::to_string(version), "version"));
  }
  if (base_version < log_start) {
    fail(problems::make(409, "reload", "Too far behind: reload the file.",
                        "Updates before version " + std::to_string(log_start) + " were compacted."));
  }
  std::vector<ChangeSet> since;
  // Updates of this client since its version: a copy of this push accepted while the client was
  // not listening (it resends its unconfirmed changes after reconnecting); not accepted twice.
  std::vector<bool> own;
  if (base_version < version) {
    auto r = co_await tx.query(sql::updates_since, file_id, base_version);
    for (int i = 0; i < r.rows(); ++i) {
      since.push_back(ChangeSet::parse(r.get(i, "changes")));  // the log holds only valid changes
      own.push_back(r.get(i, "client_id") == client_id);
    }
  }
  std::string text(file.get(0, "content"));
  std::vector<ChangeSet> accepted;
  try {
    accepted = rebase(pushed, since, own);
    for (const auto& c : accepted) {
      text = c.apply(text);
    }
  } catch (const ChangeError& e) {
    change_refused(e, 0);
  }
  if (text.size() > static_cast<std::size_t>(file.get_int(0, "size"))) {
    co_await check_sizes(tx, *owner, file_id, text.size());
  }
  PushResult result;
  if (accepted.empty()) {  // all of it was accepted before
    co_await tx.commit();
    result.version = version;
    co_return result;
  }
  auto next = version;
  for (const auto& c : accepted) {
    ++next;
    auto json = c.to_json_text();
    auto r = co_await tx.query(sql::insert_update, file_id, next, client_id, user_id, json);
    result.accepted.push_back(Update{next, client_id, user_id, std::move(json), std::string(r.get(0, "created_at"))});
  }
  co_await tx.query(sql::store_content, file_id, text, next, user_id);
  // Compaction: the log keeps the last log_keep entries, cut in steps so that it runs rarely.
  const auto keep = static_cast<std::int64_t>(limits_.log_keep);
  if (next - log_start > 2 * keep) {
    co_await tx.query(sql::compact_log, file_id, next - keep);
  }
  co_await tx.commit();
  result.version = next;
  co_await publish_updates(file_id, result.accepted);
  co_return result;
}

awaitable<void> FilesService::publish_updates(const std::string& file_id, const std::vector<Update>& updates) {
  // The envelope the file room's clients receive as is (docs/websocket.md):
  // {"type":"file.updates","room":"file:<id>","data":{"file_id":...,"updates":[{version, client_id,
  // author_id, changes, created_at}]}}
  std::string payload = "{\"type\":\"file.updates\",\"room\":\"" + channels::file_room(file_id) +
                        "\",\"data\":{\"file_id\":\"" + file_id + "\",\"updates\":[";
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& u = updates[i];
    if (i > 0) {
      payload += ',';
    }
    payload += "{\"version\":" + std::to_string(u.version) + ",\"client_id\":" + bj::serialize(bj::value(u.client_id)) +
               ",\"author_id\":\"" + u.author_id + "\",\"changes\":" + u.changes + ",\"created_at\":\"" +
               u.created_at + "\"}";
  }
  payload += "]}}";
  if (!co_await bus_->publish(channels::file_edits(file_id), std::move(payload))) {
    spdlog::warn("updates of file {} not published: bus unreachable", file_id);
  }
}

awaitable<PullResult> FilesService::pull(const std::string& file_id_in, std::int64_t since_version) {
  const auto file_id = canonical_file_id(file_id_in);
  auto conn = co_await pool_->acquire();
  auto tx = co_await db::Transaction::begin(std::move(conn), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  auto f = co_await tx.query(sql::file_version, file_id);
  if (f.empty()) {
    fail(problems::not_found("No such file."));
  }
  PullResult result;
  result.version = f.get_int(0, "version");
  if (since_version < f.get_int(0, "log_start")) {
    result.reload = true;
    co_return result;
  }
  if (since_version > result.version || since_version < 0) {
    fail(problems::bad_request("version is ahead of the file's version " + std::to_string(result.version), "version"));
  }
  if (since_version < result.version) {
    result.updates = read_updates(co_await tx.query(sql::updates_since, file_id, since_version));
    if (result.updates.size() > static_cast<std::size_t>(max_pull)) {
      result.updates.resize(max_pull);
    }
  }
  co_await tx.commit();
  co_return result;
}

awaitable<std::string> FilesService::write_generated(const std::string& project_id, std::string_view path_in,
                                                     std::string content, const std::string& author_id) {
  auto checked = check_path(path_in);
  if (!checked.ok) {
    fail(problems::field("path", checked.error));
  }
  const auto& path = *checked.ok;
  const auto text = normalise_line_endings(content);
  auto tx = co_await pool_->begin();
  auto existing = co_await tx.query(sql::find_by_path, project_id, path.key);
  if (existing.empty()) {
    co_await check_sizes(tx, project_id, {}, text.size());
    auto r = co_await tx.query(sql::insert_file, project_id, path.path, path.key, path.name, std::string("GENERATED"),
                               language_of(path.name), text, author_id);
    co_await tx.commit();
    co_await publish_tree(project_id, "file.created", std::string(r.get(0, "meta")));
    co_return std::string(r.get(0, "id"));
  }
  const std::string file_id(existing.get(0, "id"));
  auto file = co_await tx.query(sql::lock_file, file_id);
  if (file.get(0, "type") != "GENERATED") {
    fail(problems::conflict("A file that people edit already has this path.", "path"));
  }
  const std::string old(file.get(0, "content"));
  if (old == text) {
    co_return file_id;
  }
  co_await check_sizes(tx, project_id, file_id, text.size());
  // The whole text replaced, as one logged update, so that open editors follow.
  const auto change = ChangeSet::replace(utf16_length(old), 0, utf16_length(old), text);
  const auto next = file.get_int(0, "version") + 1;
  auto json = change.to_json_text();
  auto r = co_await tx.query(sql::insert_update, file_id, next, std::string("page-builder"), author_id, json);
  co_await tx.query(sql::store_content, file_id, text, next, author_id);
  co_await tx.commit();
  // Built before the co_await: g++ 12 miscompiles braced lists across one.
  std::vector<Update> published{Update{next, "page-builder", author_id, std::move(json),
                                       std::string(r.get(0, "created_at"))}};
  co_await publish_updates(file_id, published);
  co_return file_id;
}

}  // namespace collabdev::files
