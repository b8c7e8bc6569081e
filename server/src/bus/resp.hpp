#pragma once
// RESP2 on the wire: hiredis formats commands and parses replies; we own the bytes and the socket.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace collabdev::bus {

// One reply, copied out of hiredis so it outlives the reader. `unavailable` is ours, not Redis's:
// the command never got an answer (no connection, connection lost, timeout, stopped).
struct Reply {
  enum class Type { nil, string, status, integer, array, error, unavailable };

  Type type = Type::nil;
  std::string str;  // string, status, error and unavailable text
  long long integer = 0;
  std::vector<Reply> elements;

  bool failed() const { return type == Type::error || type == Type::unavailable; }
  bool is_status(std::string_view s) const { return type == Type::status && str == s; }
  static Reply unavailable(std::string why) {
    Reply r;
    r.type = Type::unavailable;
    r.str = std::move(why);
    return r;
  }
};

// Serialises one command as a RESP array of bulk strings (binary safe).
std::string format_command(const std::vector<std::string>& args);

// Incremental reply parser over hiredis's redisReader.
class RespReader {
 public:
  RespReader();
  ~RespReader();
  RespReader(RespReader&& o) noexcept;
  RespReader& operator=(RespReader&& o) noexcept;
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  // False when the stream is corrupt; the connection must then be dropped.
  bool feed(const char* data, std::size_t size);
  // The next complete reply, or nullopt when more bytes are needed or the stream is corrupt
  // (check broken()).
  std::optional<Reply> next();
  bool broken() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  redisReader* reader_ = nullptr;
  std::string error_;
};

}  // namespace collabdev::bus
