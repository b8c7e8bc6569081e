// The main of every unit test: creates spdlog's registry before any test starts a thread, as the
// server's main does. Created lazily by two threads at once, it is a race ThreadSanitizer reports
// (the guard lives in the uninstrumented libspdlog).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  spdlog::default_logger();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
