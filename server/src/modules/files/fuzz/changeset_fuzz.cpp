// libFuzzer target for what a client controls in a push: the changes' JSON and the text they
// apply to. Input: a document, a NUL byte, then the changes' JSON. Any input must either apply
// or be refused with a ChangeError; an applied change must produce valid UTF-8 of the length it
// announces, and mapping it over itself must keep the two orders equal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "modules/files/changeset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace collabdev::files;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  if (nul == std::string_view::npos) {
    return 0;
  }
  const auto doc = input.substr(0, nul);
  const auto json = input.substr(nul + 1);
  try {
    const auto change = ChangeSet::parse(json);
    const auto out = change.apply(doc);
    if (utf16_length(out) != change.new_length()) {
      std::abort();
    }
    // Concurrent with itself: both orders must give one text.
    const auto a = change.map(change).apply(out);
    const auto b = change.map(change, true).apply(out);
    if (a != b) {
      std::abort();
    }
    if (ChangeSet::parse(change.to_json_text()).apply(doc) != out) {
      std::abort();
    }
  } catch (const ChangeError&) {
  }
  return 0;
}
