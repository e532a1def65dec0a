#pragma once
// Shared helpers of the Lambda unit tests: a scratch directory, function code written into it,
// an invocation with a fresh request id.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/ids.hpp"
#include "lambda/execution_environment.hpp"

namespace awan::lambda::testing {

class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() / ("awan-lambda-test-" + ids::uuid4());
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

  // Writes `text` at `rel` (directories created); `mode` 0755 for an executable.
  void write(const std::string& rel, const std::string& text, mode_t mode = 0644) const {
    auto file = path_ / rel;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    ::chmod(file.c_str(), mode);
  }

 private:
  std::filesystem::path path_;
};

inline FunctionCode function_code(const std::string& runtime, const std::string& handler, const std::string& code_dir) {
  FunctionCode code;
  code.function_name = "test-function";
  code.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:test-function";
  code.runtime = runtime;
  code.handler = handler;
  code.code_dir = code_dir;
  code.endpoint_url = "http://127.0.0.1:4566";
  code.timeout_s = 10;
  return code;
}

inline InvocationRequest request(const std::string& payload = "{}") {
  InvocationRequest r;
  r.request_id = ids::uuid4();
  r.payload = payload;
  return r;
}

inline std::unique_ptr<ExecutionEnvironment> start_or_fail(const FunctionCode& code) {
  std::string error;
  auto env = ExecutionEnvironment::start(code, error);
  EXPECT_TRUE(env) << error;
  return env;
}

inline nlohmann::json json_of(const InvocationResult& r) { return nlohmann::json::parse(r.payload); }

}  // namespace awan::lambda::testing
