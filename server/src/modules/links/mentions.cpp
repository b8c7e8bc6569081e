#include "modules/links/mentions.hpp"

#include <algorithm>

namespace collabdev::links {

namespace {

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // a letter of another script counts as part of a word
}

}  // namespace

std::vector<std::int64_t> parse_mentions(std::string_view text) {
  constexpr std::size_t max_digits = 9;
  std::vector<std::int64_t> found;
  for (std::size_t i = 0; i < text.size() && found.size() < max_mentions; ++i) {
    if (text[i] != '#') {
      continue;
    }
    if (i > 0) {
      const char before = text[i - 1];
      if (is_word(before) || before == '#' || before == '&' || before == '/') {
        continue;
      }
    }
    std::size_t j = i + 1;
    std::int64_t n = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i - 1 < max_digits + 1) {
      n = n * 10 + (text[j] - '0');
      ++j;
    }
    const std::size_t digits = j - i - 1;
    if (digits == 0 || digits > max_digits || (j < text.size() && is_word(text[j])) || n == 0) {
      i = j > i ? j - 1 : i;
      continue;
    }
    if (std::find(found.begin(), found.end(), n) == found.end()) {
      found.push_back(n);
    }
    i = j - 1;
  }
  return found;
}

}  // namespace collabdev::links
