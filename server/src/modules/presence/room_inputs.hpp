#pragma once
// What every room kind's callbacks share: a database that is busy or unreachable becomes
// `unavailable` (the client may retry), and a message's `data` must be an object.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "db/db.hpp"
#include "realtime/room_kind.hpp"

namespace collabdev::presence {

// Call from a catch handler: rethrows the exception being handled, as realtime::Unavailable when
// it is a pool timeout or a database that did not answer (no SQLSTATE, a timeout, a
// serialization failure), as itself otherwise.
[[noreturn]] inline void rethrow_unavailable() {
  try {
    throw;
  } catch (const db::PoolTimeout&) {
    throw realtime::Unavailable("the database is busy; try again");
  } catch (const db::Error& e) {
    if (e.sqlstate().empty() || e.is_timeout() || e.is_serialization_failure()) {
      throw realtime::Unavailable("the database is busy or unreachable; try again");
    }
    throw;
  }
}

// A room message's `data` as an object; `bad_request` otherwise.
inline const boost::json::object& data_object(const boost::json::value& data) {
  if (!data.is_object()) {
    throw realtime::RoomError("bad_request", "data must be an object");
  }
  return data.as_object();
}

}  // namespace collabdev::presence
