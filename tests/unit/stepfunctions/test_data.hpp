// A file of tests/data/stepfunctions, read whole. The tests run from the build folder: the
// folder is looked for upwards from there.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace awan::sfn_test {

inline std::string data_file(const std::string& name) {
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    auto p = dir / "tests/data/stepfunctions" / name;
    if (std::filesystem::exists(p)) {
      std::ifstream in(p, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      return s.str();
    }
    if (dir == dir.parent_path()) break;
  }
  ADD_FAILURE() << "fixture " << name << " not found";
  return {};
}

}  // namespace awan::sfn_test
