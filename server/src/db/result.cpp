// Text-format parameters and results.
#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "db/db.hpp"

namespace collabdev::db {

Param::Param(double v) {
  // PostgreSQL's float8 input spells the special values this way; to_chars would not.
  if (std::isnan(v)) {
    value_ = "NaN";
  } else if (std::isinf(v)) {
    value_ = v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    if (ec != std::errc()) {
      throw std::runtime_error("database: cannot format a double parameter");
    }
    value_ = std::string(buffer, end);
  }
}

Result::Result(pg_result* res) {
  if (res != nullptr) {
    res_ = std::shared_ptr<pg_result>(res, PQclear);
  }
}

int Result::rows() const {
  return res_ ? PQntuples(res_.get()) : 0;
}

int Result::columns() const {
  return res_ ? PQnfields(res_.get()) : 0;
}

// Exact match; PQfnumber would case-fold and interpret quotes.
int Result::column(std::string_view name) const {
  const int count = columns();
  for (int col = 0; col < count; ++col) {
    if (name == PQfname(res_.get(), col)) {
      return col;
    }
  }
  throw std::out_of_range("database result has no column " + std::string(name));
}

namespace {

void check_cell(int row, int col, int rows, int columns) {
  if (row < 0 || row >= rows || col < 0 || col >= columns) {
    throw std::out_of_range("database result: cell (" + std::to_string(row) + ", " +
                            std::to_string(col) + ") out of range");
  }
}

std::int64_t parse_int(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("database result: " + std::string(what) + " is not an integer");
  }
  return value;
}

}  // namespace

bool Result::is_null(int row, int col) const {
  check_cell(row, col, rows(), columns());
  return PQgetisnull(res_.get(), row, col) != 0;
}

std::string_view Result::get(int row, int col) const {
  check_cell(row, col, rows(), columns());
  return std::string_view(PQgetvalue(res_.get(), row, col),
                          static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
}

std::optional<std::string_view> Result::get_optional(int row, std::string_view col) const {
  const int index = column(col);
  if (is_null(row, index)) {
    return std::nullopt;
  }
  return get(row, index);
}

std::int64_t Result::get_int(int row, std::string_view col) const {
  const int index = column(col);
  if (is_null(row, index)) {
    throw std::runtime_error("database result: column " + std::string(col) + " is NULL");
  }
  return parse_int(get(row, index), col);
}

bool Result::get_bool(int row, std::string_view col) const {
  const int index = column(col);
  if (is_null(row, index)) {
    throw std::runtime_error("database result: column " + std::string(col) + " is NULL");
  }
  const std::string_view text = get(row, index);
  if (text == "t") {
    return true;
  }
  if (text == "f") {
    return false;
  }
  throw std::runtime_error("database result: column " + std::string(col) + " is not a boolean");
}

std::int64_t Result::affected_rows() const {
  if (!res_) {
    return 0;
  }
  const std::string_view text = PQcmdTuples(res_.get());
  return text.empty() ? 0 : parse_int(text, "affected row count");
}

}  // namespace collabdev::db
