// Every real typing history in ../shared/traces (beside the clone) replayed through the changeset
// core, ending exactly at the trace's endContent. Positions there count code points: each patch
// is converted to UTF-16 units, then patches are composed into batches as an editor's pushes would
// be, and each batch applied to the UTF-8 text.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <zlib.h>

#include "modules/files/changeset.hpp"

namespace collabdev::files {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

fs::path traces_dir() {
  if (const char* dir = std::getenv("COLLABDEV_TRACES_DIR")) {
    return dir;
  }
  return fs::path(COLLABDEV_SOURCE_DIR) / ".." / "shared" / "traces";
}

std::string gunzip(const fs::path& file) {
  gzFile in = gzopen(file.c_str(), "rb");
  if (in == nullptr) {
    throw std::runtime_error("cannot open " + file.string());
  }
  std::string out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(in, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  const bool ok = n == 0;
  gzclose(in);
  if (!ok) {
    throw std::runtime_error("cannot read " + file.string());
  }
  return out;
}

// The UTF-16 position of code point `pos` in `doc`.
std::int64_t utf16_position(std::string_view doc, std::int64_t pos) {
  std::size_t at = 0;
  std::int64_t units = 0;
  for (; pos > 0; --pos) {
    const auto c = static_cast<unsigned char>(doc.at(at));
    const int bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    units += bytes == 4 ? 2 : 1;
    at += bytes;
  }
  return units;
}

bool has_astral(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xF0; });
}

void replay(const fs::path& file) {
  const auto trace = bj::parse(gunzip(file)).as_object();
  std::string doc(trace.at("startContent").as_string());
  const std::string end(trace.at("endContent").as_string());
  auto length = utf16_length(doc);
  // While the text holds no astral character, code points and UTF-16 units count alike;
  // afterwards positions are converted against the text itself (batches are flushed first).
  bool astral = has_astral(doc);
  auto batch = ChangeSet::empty(length);
  int pending = 0;
  const auto flush = [&] {
    doc = batch.apply(doc);
    batch = ChangeSet::empty(length);
    pending = 0;
  };
  for (const auto& txn : trace.at("txns").as_array()) {
    for (const auto& p : txn.at("patches").as_array()) {
      const auto& patch = p.as_array();
      const auto pos = patch.at(0).to_number<std::int64_t>();
      const auto del = patch.at(1).to_number<std::int64_t>();
      const std::string_view ins = patch.at(2).as_string();
      std::int64_t from = pos;
      std::int64_t to = pos + del;
      if (astral) {
        flush();
        from = utf16_position(doc, pos);
        to = utf16_position(doc, pos + del);
      }
      const auto change = ChangeSet::replace(length, from, to, ins);
      batch = batch.compose(change);
      length = change.new_length();
      astral = astral || has_astral(ins);
    }
    if (++pending == 64) {
      flush();
    }
  }
  flush();
  EXPECT_EQ(length, utf16_length(end));
  EXPECT_TRUE(doc == end) << file << ": the replay does not end at endContent";
}

TEST(Traces, EveryTraceEndsAtItsEndContent) {
  const auto dir = traces_dir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "no traces at " << dir << " (the shared folder beside the clone)";
  }
  int replayed = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().string().ends_with(".json.gz")) {
      SCOPED_TRACE(entry.path().filename().string());
      replay(entry.path());
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0);
}

}  // namespace
}  // namespace collabdev::files
