#pragma once
// One connected client as the protocol, the rooms and presence see it: a way to send, a way to
// close, and who it is. The socket itself (Beast) lives in connection.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <algorithm>
#include <vector>

#include <boost/json/object.hpp>

#include "core/asio.hpp"

namespace collabdev::realtime {

using Payload = std::shared_ptr<const std::string>;

namespace close_code {
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t unauthenticated = 4401;
inline constexpr std::uint16_t slow_consumer = 4408;
inline constexpr std::uint16_t rate_limited = 4429;
}  // namespace close_code

// The few rooms one connection is in (canonical names): a vector, a fraction of a hash set's
// memory for a handful of entries, and every idle connection holds one.
class RoomList {
 public:
  bool contains(const std::string& room) const { return std::find(rooms_.begin(), rooms_.end(), room) != rooms_.end(); }
  void insert(const std::string& room) {
    if (!contains(room)) {
      rooms_.push_back(room);
    }
  }
  std::size_t erase(const std::string& room) {
    auto it = std::find(rooms_.begin(), rooms_.end(), room);
    if (it == rooms_.end()) {
      return 0;
    }
    *it = std::move(rooms_.back());
    rooms_.pop_back();
    return 1;
  }
  void clear() { std::vector<std::string>().swap(rooms_); }
  auto begin() const { return rooms_.begin(); }
  auto end() const { return rooms_.end(); }

 private:
  std::vector<std::string> rooms_;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  virtual ~Client() = default;
  // Both safe from any thread. After close, nothing more is sent.
  virtual void send(Payload payload) = 0;
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  // Closes with 1001 and drops the connection after a grace period if the peer does not answer.
  virtual void going_away() = 0;
  // The connection's strand: the state below is touched only there, except user_id, which is
  // written once before the client joins any room and read by the rooms under their lock.
  virtual executor strand() = 0;

  std::string address;     // the client address the HTTP layer reported
  std::string user_id;     // empty until authenticated
  std::string session_id;  // the user_sessions.id it authenticated with
  RoomList rooms;                              // canonical room names it is in (or joining)
  std::optional<boost::json::object> profile;  // {name, avatar_url}, looked up once
};

}  // namespace collabdev::realtime
