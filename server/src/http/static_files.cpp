#include "http/static_files.hpp"

#include <fstream>
#include <sstream>

#include <boost/url/pct_string_view.hpp>
#include <fmt/format.h>

namespace collabdev::http {

namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec) {
    root_ = fs::absolute(root);
  }
}

std::string_view StaticFiles::content_type_for(std::string_view ext) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".yaml", "application/yaml"},
  };
  for (const auto& [e, t] : types) {
    if (e == ext) {
      return t;
    }
  }
  return "application/octet-stream";
}

std::optional<fs::path> StaticFiles::resolve(std::string_view url_path) const {
  auto pct = boost::urls::make_pct_string_view(url_path);
  if (!pct) {
    return std::nullopt;
  }
  std::string decoded = pct->decode();
  if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  fs::path rel;
  std::size_t i = 0;
  while (i <= decoded.size()) {
    const auto j = decoded.find('/', i);
    const auto seg = decoded.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (seg == "..") {
      return std::nullopt;
    }
    if (!seg.empty() && seg != ".") {
      rel /= seg;
    }
    if (j == std::string::npos) {
      break;
    }
    i = j + 1;
  }
  std::error_code ec;
  auto full = fs::weakly_canonical(root_ / rel, ec);
  if (ec) {
    return std::nullopt;
  }
  // Symlinks may not lead out of the root either.
  auto [root_end, nothing] = std::mismatch(root_.begin(), root_.end(), full.begin(), full.end());
  if (root_end != root_.end()) {
    return std::nullopt;
  }
  if (fs::is_directory(full, ec)) {
    full /= "index.html";
  }
  if (!fs::is_regular_file(full, ec)) {
    return std::nullopt;
  }
  return full;
}

std::shared_ptr<const StaticFiles::Cached> StaticFiles::load(const fs::path& file) {
  std::error_code ec;
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) {
    return nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(file.string());
    if (it != cache_.end() && it->second->mtime == mtime) {
      return it->second;
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return nullptr;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto c = std::make_shared<Cached>();
  c->body = ss.str();
  c->mtime = mtime;
  c->etag = fmt::format("\"{:x}-{:x}\"", c->body.size(),
                        static_cast<std::uint64_t>(mtime.time_since_epoch().count()));
  std::lock_guard lock(mutex_);
  cache_[file.string()] = c;
  return c;
}

Response StaticFiles::serve(const Request& req) {
  auto file = resolve(req.path);
  bool fallback = false;
  if (!file) {
    // Client routes get the app's index.html: every address under /projects/ (a file's address
    // ends with its name, dots included), and any other whose last segment has no extension.
    const auto last = req.path.substr(req.path.rfind('/') + 1);
    if (req.path.starts_with("/projects/") || last.find('.') == std::string::npos) {
      file = resolve("/index.html");
      fallback = true;
    }
  }
  if (!file) {
    return Response::problem(problems::not_found("No such file."));
  }
  auto cached = load(*file);
  if (!cached) {
    return Response::problem(problems::not_found("No such file."));
  }
  Response res;
  res.content_type = std::string(content_type_for(file->extension().string()));
  res.header("ETag", cached->etag);
  const bool hashed_asset = !fallback && req.path.starts_with("/assets/");
  res.header("Cache-Control", hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.header("if-none-match") == cached->etag) {
    res.status = 304;
    return res;
  }
  res.body = cached->body;
  return res;
}

}  // namespace collabdev::http
