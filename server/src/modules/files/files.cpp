// The file tree over REST: list, create, read, rename or move, delete, raw download and the
// history of one file. GENERATED files are read-only here (the page builder writes them through
// write_generated).
#include "modules/files/files.hpp"

#include <charconv>
#include <limits>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bus/channels.hpp"
#include "core/cursor.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "modules/files/paths.hpp"
#include "modules/files/queries.hpp"
#include "modules/links/hooks.hpp"

namespace collabdev::files {

namespace bj = boost::json;
using projects::Action;
using projects::ProjectLock;

namespace {

constexpr std::int64_t default_page = 100;
constexpr std::int64_t max_page = 500;

std::string file_id_of(const http::Request& req) { return ids::canonical_or_404(req.param("fileId"), "No such file."); }

http::Response json_text(std::string body, int status = 200) {
  return http::Response::text(std::move(body), "application/json", status);
}

http::Response file_response(const db::Result& r, int status = 200) {
  auto res = json_text(std::string(r.get(0, "file")), status);
  res.header("ETag", "\"" + std::to_string(r.get_int(0, "version")) + "\"");
  return res;
}

std::optional<std::int64_t> parse_version(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

// The version the client saw: If-Match ("3") or a `version` field; both must agree.
std::optional<std::int64_t> expected_version(const http::Request& req, json::Fields* f) {
  std::optional<std::int64_t> from_header;
  if (auto h = req.header("if-match"); !h.empty()) {
    if (h.starts_with("W/")) {
      h.remove_prefix(2);
    }
    if (h.size() >= 2 && h.front() == '"' && h.back() == '"') {
      from_header = parse_version(h.substr(1, h.size() - 2));
    }
    if (!from_header) {
      fail(problems::bad_request("If-Match must name one version, as \"3\"", "If-Match"));
    }
  }
  std::optional<std::int64_t> from_body;
  if (f != nullptr && f->has("version")) {
    from_body = f->integer("version", 0, std::numeric_limits<std::int64_t>::max(), false);
  }
  if (from_header && from_body && *from_header != *from_body) {
    f->error("version", "differs from the version in If-Match");
  }
  return from_header ? from_header : from_body;
}

// The path field: 422 naming `path` with the rule it breaks.
std::optional<CheckedPath> path_field(const bj::object& body, json::Fields& f, bool required) {
  const auto* v = body.if_contains("path");
  if (v == nullptr) {
    if (required) {
      f.error("path", "is required");
    }
    return std::nullopt;
  }
  if (!v->is_string()) {
    f.error("path", "must be a string");
    return std::nullopt;
  }
  auto checked = check_path(v->get_string());
  if (!checked.ok) {
    f.error("path", checked.error);
  }
  return checked.ok;
}

// Paths may hold '|', which the cursor codec reserves: a path goes into a cursor in hex.
std::string to_hex(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (const char ch : s) {
    hex.push_back(digits[static_cast<unsigned char>(ch) >> 4]);
    hex.push_back(digits[static_cast<unsigned char>(ch) & 0xF]);
  }
  return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string s;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) {
      return std::nullopt;
    }
    s.push_back(static_cast<char>(value));
  }
  return s;
}

[[noreturn]] void generated_read_only() {
  fail(problems::make(403, "generated-file", "The file is generated.",
                      "GENERATED files are written by the page builder and are read-only for people."));
}

[[noreturn]] void path_taken() {
  fail(problems::conflict("Another file of this project has this path (paths are unique regardless of case).",
                          "path"));
}

}  // namespace

FilesService::FilesService(std::shared_ptr<db::Pool> pool, std::shared_ptr<bus::Bus> bus,
                           projects::ProjectsService& projects, Limits limits)
    : pool_(std::move(pool)), bus_(std::move(bus)), projects_(projects), limits_(limits) {}

void FilesService::register_routes(http::Router& router) {
  auto bind = [this](awaitable<http::Response> (FilesService::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  router.get("/api/v1/projects/{id}/files", bind(&FilesService::list));
  router.post("/api/v1/projects/{id}/files", bind(&FilesService::create));
  router.get("/api/v1/projects/{id}/files/{fileId}", bind(&FilesService::get));
  router.patch("/api/v1/projects/{id}/files/{fileId}", bind(&FilesService::rename));
  router.del("/api/v1/projects/{id}/files/{fileId}", bind(&FilesService::remove));
  router.get("/api/v1/projects/{id}/files/{fileId}/raw", bind(&FilesService::raw));
  router.get("/api/v1/projects/{id}/files/{fileId}/history", bind(&FilesService::history));
}

awaitable<void> FilesService::check_sizes(db::Transaction& tx, const std::string& project_id,
                                          const std::string& file_id, std::size_t new_size) {
  if (new_size > limits_.file_max_bytes) {
    auto p = problems::make(413, "file-too-large", "The file is too large.",
                            "A file may hold at most " + std::to_string(limits_.file_max_bytes) + " bytes.");
    p.errors.push_back({"content", p.detail});
    fail(std::move(p));
  }
  // A named local: g++ 12 destroys a conditional's temporary twice across a co_await.
  const std::string except = file_id.empty() ? std::string("00000000-0000-0000-0000-000000000000") : file_id;
  auto r = co_await tx.query(sql::project_bytes, project_id, except);
  const auto others = static_cast<std::size_t>(r.get_int(0, "bytes"));
  if (others + new_size > limits_.project_max_bytes) {
    auto p = problems::make(413, "project-too-large", "The project's files are too large.",
                            "A project's files may hold at most " + std::to_string(limits_.project_max_bytes) +
                                " bytes together.");
    p.errors.push_back({"content", p.detail});
    fail(std::move(p));
  }
}

awaitable<void> FilesService::publish_tree(const std::string& project_id, std::string_view type, std::string data) {
  const auto payload = "{\"type\":\"" + std::string(type) + "\",\"room\":\"project:" + project_id +
                       "\",\"data\":" + data + "}";
  if (!co_await bus_->publish(channels::project_files(project_id), payload)) {
    spdlog::warn("file event for project {} not published: bus unreachable", project_id);
  }
}

awaitable<http::Response> FilesService::list(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto limit = http::page_limit(req, default_page, max_page);
  const auto prefix = req.query_param("path_prefix");
  std::optional<std::string> after;
  if (auto c = req.query_param("cursor")) {
    auto fields = decode_cursor_fields(*c, 1, 1500);
    if (fields) {
      after = from_hex((*fields)[0]);
    }
    if (!after) {
      fail(problems::bad_request("cursor is not one this server gave out", "cursor"));
    }
  }
  auto r = co_await pool_->query(sql::list_files, scope.project_id, prefix, after, limit + 1);
  std::string items = "[";
  const int shown = std::min<int>(r.rows(), static_cast<int>(limit));
  for (int i = 0; i < shown; ++i) {
    if (i > 0) {
      items += ',';
    }
    items += r.get(i, "file");
  }
  items += ']';
  std::string next = "null";
  if (r.rows() > limit) {
    // Paths may hold '|', which the cursor codec reserves: the path goes in hex.
    next = "\"" + encode_cursor_fields({to_hex(r.get(shown - 1, "path"))}) + "\"";
  }
  co_return json_text("{\"items\":" + items + ",\"next_cursor\":" + next + "}");
}

awaitable<http::Response> FilesService::create(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"path", "content", "type"});
  auto path = path_field(body, f, true);
  auto content = f.string("content", {.required = false, .max = std::numeric_limits<std::size_t>::max(), .trim = false});
  auto type = f.one_of("type", {"CODE", "ASSET", "GENERATED"}, false);
  f.check();
  if (type == "GENERATED") {
    generated_read_only();
  }
  const auto text = normalise_line_endings(content.value_or(""));
  const auto file_type = type ? *type : is_asset_name(path->name) ? std::string("ASSET") : std::string("CODE");

  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::view_project, ProjectLock::content);
  co_await check_sizes(tx, scope.project_id, {}, text.size());
  db::Result r;
  try {
    r = co_await tx.query(sql::insert_file, scope.project_id, path->path, path->key, path->name, file_type,
                          language_of(path->name), text, scope.user_id);
    co_await tx.commit();
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) {
      path_taken();
    }
    throw;
  }
  auto res = file_response(r, 201);
  res.header("Location", "/api/v1/projects/" + scope.project_id + "/files/" + std::string(r.get(0, "id")));
  co_await publish_tree(scope.project_id, "file.created", std::string(r.get(0, "meta")));
  co_return res;
}

awaitable<http::Response> FilesService::get(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto file_id = file_id_of(req);
  auto r = co_await pool_->query(sql::get_file, file_id, scope.project_id);
  if (r.empty()) {
    fail(problems::not_found("No such file."));
  }
  co_return file_response(r);
}

awaitable<http::Response> FilesService::rename(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto file_id = file_id_of(req);
  auto body = http::json_body(req);
  json::Fields f(body);
  f.only({"path", "version"});
  auto path = path_field(body, f, true);
  const auto expected = expected_version(req, &f);
  f.check();

  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::view_project, ProjectLock::content);
  auto current = co_await tx.query(sql::lock_file, file_id);
  if (current.empty() || current.get(0, "project_id") != scope.project_id) {
    fail(problems::not_found("No such file."));
  }
  if (current.get(0, "type") == "GENERATED") {
    generated_read_only();
  }
  if (expected && *expected != current.get_int(0, "version")) {
    fail(problems::precondition_failed(bj::parse(current.get(0, "file"))));
  }
  db::Result r;
  try {
    r = co_await tx.query(sql::rename_file, file_id, path->path, path->key, path->name, language_of(path->name),
                          scope.user_id);
    co_await links::artifact_renamed(tx, scope.project_id, "FILE", file_id, path->path);
    co_await tx.commit();
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) {
      path_taken();
    }
    throw;
  }
  co_await publish_tree(scope.project_id, "file.renamed",
                        "{\"file\":" + std::string(r.get(0, "meta")) + ",\"old_path\":" +
                            bj::serialize(bj::value(current.get(0, "path"))) + "}");
  co_return file_response(r);
}

awaitable<http::Response> FilesService::remove(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto file_id = file_id_of(req);
  const auto expected = expected_version(req, nullptr);
  auto tx = co_await pool_->begin();
  co_await projects_.lock(tx, scope, Action::view_project, ProjectLock::content);
  auto current = co_await tx.query(sql::lock_file, file_id);
  if (current.empty() || current.get(0, "project_id") != scope.project_id) {
    fail(problems::not_found("No such file."));
  }
  if (current.get(0, "type") == "GENERATED") {
    generated_read_only();
  }
  if (expected && *expected != current.get_int(0, "version")) {
    fail(problems::precondition_failed(bj::parse(current.get(0, "file"))));
  }
  co_await tx.query(sql::delete_file, file_id);
  co_await links::artifact_deleted(tx, scope.project_id, "FILE", file_id);
  co_await tx.commit();
  co_await publish_tree(scope.project_id, "file.deleted",
                        "{\"id\":\"" + file_id + "\",\"path\":" + bj::serialize(bj::value(current.get(0, "path"))) +
                            "}");
  co_return http::Response::no_content();
}

awaitable<http::Response> FilesService::raw(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto file_id = file_id_of(req);
  auto r = co_await pool_->query(sql::get_file, file_id, scope.project_id);
  if (r.empty()) {
    fail(problems::not_found("No such file."));
  }
  const auto name = std::string(r.get(0, "name"));
  const auto type = raw_type_of(name);
  auto res = http::Response::text(std::string(r.get(0, "content")), type.content_type);
  // Whatever the file holds, it never runs as a page of this origin, nor in a frame (nosniff and
  // the other common headers come from the HTTP layer).
  res.header("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'");
  res.header("ETag", "\"" + std::to_string(r.get_int(0, "version")) + "\"");
  if (type.attachment) {
    res.header("Content-Disposition", attachment_header(name));
  }
  co_return res;
}

awaitable<http::Response> FilesService::history(http::Request& req) {
  auto scope = co_await projects_.scope(req, Action::view_project);
  const auto file_id = file_id_of(req);
  const auto limit = http::page_limit(req, default_page, max_page);
  std::optional<std::int64_t> before;
  if (auto c = req.query_param("cursor")) {
    auto fields = decode_cursor_fields(*c, 1);
    if (fields) {
      before = parse_version((*fields)[0]);
    }
    if (!before) {
      fail(problems::bad_request("cursor is not one this server gave out", "cursor"));
    }
  }
  auto exists = co_await pool_->query(sql::get_file, file_id, scope.project_id);
  if (exists.empty()) {
    fail(problems::not_found("No such file."));
  }
  auto r = co_await pool_->query(sql::history, file_id, before, limit + 1);
  std::string items = "[";
  const int shown = std::min<int>(r.rows(), static_cast<int>(limit));
  for (int i = 0; i < shown; ++i) {
    if (i > 0) {
      items += ',';
    }
    items += r.get(i, "entry");
  }
  items += ']';
  std::string next = "null";
  if (r.rows() > limit) {
    next = "\"" + encode_cursor_fields({std::to_string(r.get_int(shown - 1, "version"))}) + "\"";
  }
  co_return json_text("{\"items\":" + items + ",\"next_cursor\":" + next + "}");
}

}  // namespace collabdev::files
