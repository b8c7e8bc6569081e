#pragma once
// Serves the built web client: content types, ETag, Cache-Control, index.html for client routes,
// and never a file outside the root. Files are cached in memory and re-read when they change.
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/request.hpp"

namespace collabdev::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);
  // Answers GET/HEAD for `req.path`; 404 problem when nothing fits.
  Response serve(const Request& req);
  static std::string_view content_type_for(std::string_view extension);

 private:
  struct Cached {
    std::string body;
    std::string etag;
    std::filesystem::file_time_type mtime;
  };
  std::optional<std::filesystem::path> resolve(std::string_view url_path) const;
  std::shared_ptr<const Cached> load(const std::filesystem::path& file);
  std::filesystem::path root_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Cached>> cache_;
};

}  // namespace collabdev::http
