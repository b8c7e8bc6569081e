#pragma once
#include <string>

namespace collabdev {
// Sets the default spdlog logger: level and text or JSON lines on stderr.
void setup_logging(const std::string& level, const std::string& format);
}  // namespace collabdev
