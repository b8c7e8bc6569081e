#include "modules/files/file_room.hpp"

#include <limits>
#include <mutex>
#include <unordered_map>

#include <boost/json.hpp>

#include "bus/channels.hpp"
#include "core/problem.hpp"
#include "modules/presence/project_room.hpp"
#include "modules/presence/room_inputs.hpp"

namespace collabdev::files {

namespace bj = boost::json;
using realtime::RoomError;
using presence::data_object;
using presence::rethrow_unavailable;

namespace {

constexpr db::Statement user_name_query{"file_room_user_name", "SELECT name FROM users WHERE id = $1"};

constexpr auto cursor_interval = std::chrono::milliseconds(50);
constexpr std::size_t max_client_id = 64;
constexpr std::size_t max_ranges = 100;
constexpr std::size_t max_cached_names = 10000;

// A refusal of the authority, as the room's `error` codes (docs/websocket.md).
[[noreturn]] void refuse(const Problem& p) {
  std::string code;
  switch (p.status) {
    case 400: code = "bad_request"; break;
    case 403: code = "forbidden"; break;
    case 404: code = "not_found"; break;
    case 409: code = p.type == "reload" ? "reload" : "conflict"; break;
    case 413: code = "too_large"; break;
    case 422: code = "bad_changes"; break;
    default: throw realtime::Unavailable(p.title);
  }
  std::string message = p.title;
  if (!p.detail.empty()) {
    message += " " + p.detail;
  }
  throw RoomError(code, message);
}

std::int64_t version_field(const bj::object& o) {
  const auto* v = o.if_contains("version");
  if (v == nullptr || !v->is_int64() || v->get_int64() < 0) {
    if (v != nullptr && v->is_uint64() && v->get_uint64() <= std::numeric_limits<std::int64_t>::max()) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    throw RoomError("bad_request", "version must be a non-negative integer");
  }
  return v->get_int64();
}

std::string client_id_field(const bj::object& o) {
  const auto* c = o.if_contains("client_id");
  if (c == nullptr || !c->is_string() || c->get_string().empty() || c->get_string().size() > max_client_id) {
    throw RoomError("bad_request", "client_id must be a string of 1 to 64 characters");
  }
  return std::string(c->get_string());
}

bj::object update_json(const Update& u) {
  bj::object o;
  o["version"] = u.version;
  o["client_id"] = u.client_id;
  o["author_id"] = u.author_id;
  o["changes"] = bj::parse(u.changes);
  o["created_at"] = u.created_at;
  return o;
}

bool position(const bj::value* v) {
  return v != nullptr && v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= std::numeric_limits<std::int32_t>::max();
}

bj::object range_of(const bj::value& v) {
  if (!v.is_object()) {
    throw RoomError("bad_request", "a selection range is {anchor, head}");
  }
  const auto& o = v.as_object();
  const auto* anchor = o.if_contains("anchor");
  const auto* head = o.if_contains("head");
  if (!position(anchor) || !position(head)) {
    throw RoomError("bad_request", "anchor and head must be non-negative integers");
  }
  return bj::object{{"anchor", *anchor}, {"head", *head}};
}

// {anchor, head} or {ranges: [{anchor, head}, ...], main}: rebuilt with only those fields.
bj::object selection_of(const bj::object& data) {
  const auto* s = data.if_contains("selection");
  if (s == nullptr || !s->is_object()) {
    throw RoomError("bad_request", "selection must be {anchor, head} or {ranges, main}");
  }
  const auto& o = s->as_object();
  const auto* ranges = o.if_contains("ranges");
  if (ranges == nullptr) {
    return range_of(*s);
  }
  if (!ranges->is_array() || ranges->as_array().empty() || ranges->as_array().size() > max_ranges) {
    throw RoomError("bad_request", "selection.ranges must hold 1 to 100 ranges");
  }
  bj::array out;
  for (const auto& r : ranges->as_array()) {
    out.push_back(range_of(r));
  }
  std::int64_t primary = 0;
  if (const auto* m = o.if_contains("main")) {
    if (!m->is_int64() || m->get_int64() < 0 || m->get_int64() >= static_cast<std::int64_t>(out.size())) {
      throw RoomError("bad_request", "selection.main must index one of the ranges");
    }
    primary = m->get_int64();
  }
  return bj::object{{"ranges", std::move(out)}, {"main", primary}};
}

// Names shown beside remote cursors, looked up once per user (bounded; a rename shows after
// the cache is cleared).
class NameCache {
 public:
  explicit NameCache(std::shared_ptr<db::Pool> pool) : pool_(std::move(pool)) {}

  awaitable<std::string> name_of(std::string user_id) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = names_.find(user_id); it != names_.end()) {
        co_return it->second;
      }
    }
    std::string name;
    try {
      auto r = co_await pool_->query(user_name_query, user_id);
      if (!r.empty()) {
        name = std::string(r.get(0, "name"));
      }
    } catch (...) {
      rethrow_unavailable();
    }
    std::lock_guard lock(mutex_);
    if (names_.size() >= max_cached_names) {
      names_.clear();
    }
    names_.insert_or_assign(user_id, name);
    co_return name;
  }

 private:
  std::shared_ptr<db::Pool> pool_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> names_;
};

// The project of a file room's membership channel, from the channel's name.
std::optional<std::string_view> members_channel_project(std::string_view channel) {
  constexpr std::string_view prefix = "ws:project:";
  if (!channel.starts_with(prefix)) {
    return std::nullopt;
  }
  const auto colon = channel.find(':', prefix.size());
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto project = channel.substr(prefix.size(), colon - prefix.size());
  if (channel != channels::project_members(project)) {
    return std::nullopt;
  }
  return project;
}

// `member.removed` and `project.deleted` on the project's membership channel.
std::optional<realtime::Revocation> membership_revocation(std::string_view, const bus::Message& m) {
  if (!members_channel_project(m.channel)) {
    return std::nullopt;
  }
  return presence::revocation_of_membership_event(m);
}

}  // namespace

realtime::RoomKind file_room(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus, FilesService& files,
                             projects::ProjectsService& projects) {
  realtime::RoomKind kind;
  kind.name = "file";
  kind.authorize = [&files, &projects](std::string id, std::string user) -> awaitable<bool> {
    try {
      auto project = co_await files.project_of(id);
      if (!project) {
        co_return false;
      }
      co_await projects.require_member(*project, user);
    } catch (const ProblemError&) {
      co_return false;
    } catch (...) {
      rethrow_unavailable();
    }
    co_return true;
  };
  // The file's project is looked up on subscribe (a file never changes project), so that the
  // room also hears the project's membership changes.
  kind.lookup_channels = [&files](std::string id) -> awaitable<std::vector<std::string>> {
    std::optional<std::string> project;
    try {
      project = co_await files.project_of(id);
    } catch (...) {
      rethrow_unavailable();
    }
    std::vector<std::string> c;
    c.push_back(channels::file_edits(id));
    c.push_back(channels::presence_events(channels::file_room(id)));
    if (project) {
      c.push_back(channels::project_members(*project));
    }
    co_return c;
  };
  kind.channels = [](std::string_view id) {
    std::vector<std::string> c;
    c.push_back(channels::file_edits(id));
    c.push_back(channels::presence_events(channels::file_room(id)));
    return c;
  };
  kind.revocations = membership_revocation;

  // {version, client_id, changes: [ChangeSet JSON, ...]} -> ack {version} once committed.
  kind.messages["file.push"].answer = [&files](realtime::RoomMessage m) -> awaitable<bj::value> {
    const auto& data = data_object(m.data);
    const auto version = version_field(data);
    const auto client_id = client_id_field(data);
    const auto* changes = data.if_contains("changes");
    if (changes == nullptr || !changes->is_array()) {
      throw RoomError("bad_request", "changes must be an array of ChangeSet JSON values");
    }
    std::vector<bj::value> list(changes->as_array().begin(), changes->as_array().end());
    PushResult result;
    try {
      result = co_await files.push(m.room_id, version, client_id, m.user_id, list);
    } catch (const ProblemError& e) {
      refuse(e.problem());
    } catch (...) {
      rethrow_unavailable();
    }
    co_return bj::object{{"version", result.version}, {"accepted", result.accepted.size()}};
  };
  // {version} -> ack {version, updates, reload}.
  kind.messages["file.pull"].answer = [&files](realtime::RoomMessage m) -> awaitable<bj::value> {
    const auto version = version_field(data_object(m.data));
    PullResult result;
    try {
      result = co_await files.pull(m.room_id, version);
    } catch (const ProblemError& e) {
      refuse(e.problem());
    } catch (...) {
      rethrow_unavailable();
    }
    bj::array updates;
    for (const auto& u : result.updates) {
      updates.push_back(update_json(u));
    }
    co_return bj::object{{"version", result.version}, {"updates", std::move(updates)}, {"reload", result.reload}};
  };
  // {client_id, selection} -> file.cursor {user_id, name, client_id, selection} to the room.
  auto names = std::make_shared<NameCache>(pool);
  realtime::RoomMessageHandler cursor;
  cursor.throttle = cursor_interval;
  cursor.handle = [bus, names](realtime::RoomMessage m) -> awaitable<void> {
    const auto& data = data_object(m.data);
    auto client_id = client_id_field(data);
    auto selection = selection_of(data);
    auto name = co_await names->name_of(m.user_id);
    bj::object d;
    d["user_id"] = m.user_id;
    d["name"] = name;
    d["client_id"] = client_id;
    d["selection"] = std::move(selection);
    bj::object o;
    o["type"] = "file.cursor";
    o["room"] = m.room;
    o["data"] = std::move(d);
    co_await bus->publish(channels::file_edits(m.room_id), bj::serialize(o));
  };
  kind.messages["file.cursor"] = std::move(cursor);
  return kind;
}

}  // namespace collabdev::files
