// libFuzzer target: Lambda package unpacking (lambda/execution_environment.hpp, unzip.cpp). The
// input is unpacked as a zip into a fresh temporary directory, which is removed afterwards;
// nothing may be written outside it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "lambda/execution_environment.hpp"

namespace fs = std::filesystem;

namespace {

// This run's directory, removed at exit.
struct Root {
  fs::path path = fs::temp_directory_path() / ("awan-fuzz-unzip-" + std::to_string(::getpid()));
  ~Root() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Root root_dir;
  const fs::path& root = root_dir.path;
  std::error_code ec;
  fs::create_directories(root, ec);
  fs::path dir = root / "package";
  (void)awan::lambda::unzip(std::string_view(reinterpret_cast<const char*>(data), size), dir.string(), 1 << 20);
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.path().filename() != "package") __builtin_trap();  // something escaped the package
  fs::remove_all(dir, ec);
  return 0;
}
