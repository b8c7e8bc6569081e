#include "bus/resp.hpp"

#include <hiredis/hiredis.h>

#include <climits>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

namespace collabdev::bus {
namespace {

Reply copy_reply(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(copy_reply(r->element[i]));
      }
      break;
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::nil;
      break;
    default:
      throw std::logic_error("hiredis returned an unknown reply type");
  }
  return out;
}

}  // namespace

std::string format_command(const std::vector<std::string>& args) {
  if (args.empty() || args.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("redis command needs 1..INT_MAX arguments");
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  char* target = nullptr;
  const int len = redisFormatCommandArgv(&target, static_cast<int>(args.size()), argv.data(), argvlen.data());
  // -1 is hiredis's only failure: out of memory.
  if (len < 0 || target == nullptr) {
    throw std::bad_alloc();
  }
  std::string out(target, static_cast<std::size_t>(len));
  redisFreeCommand(target);
  return out;
}

RespReader::RespReader() : reader_(redisReaderCreate()) {
  if (reader_ == nullptr) {
    throw std::bad_alloc();
  }
}

RespReader::~RespReader() {
  if (reader_ != nullptr) {
    redisReaderFree(reader_);
  }
}

RespReader::RespReader(RespReader&& o) noexcept
    : reader_(std::exchange(o.reader_, nullptr)), error_(std::move(o.error_)) {}

RespReader& RespReader::operator=(RespReader&& o) noexcept {
  if (this != &o) {
    if (reader_ != nullptr) {
      redisReaderFree(reader_);
    }
    reader_ = std::exchange(o.reader_, nullptr);
    error_ = std::move(o.error_);
  }
  return *this;
}

bool RespReader::feed(const char* data, std::size_t size) {
  if (broken()) {
    return false;
  }
  if (redisReaderFeed(reader_, data, size) != REDIS_OK) {
    error_ = reader_->errstr[0] != '\0' ? reader_->errstr : "redisReaderFeed failed";
    return false;
  }
  return true;
}

std::optional<Reply> RespReader::next() {
  if (broken()) {
    return std::nullopt;
  }
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    error_ = reader_->errstr[0] != '\0' ? reader_->errstr : "redisReaderGetReply failed";
    return std::nullopt;
  }
  if (raw == nullptr) {
    return std::nullopt;
  }
  // Free the hiredis tree even if copying throws.
  std::unique_ptr<void, void (*)(void*)> owned(raw, freeReplyObject);
  return copy_reply(static_cast<const redisReply*>(raw));
}

}  // namespace collabdev::bus
