// libFuzzer target: Step Functions JSONPath (stepfunctions/jsonpath.hpp): parse, read over a fixed
// document and the context object, and write as a ResultPath.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stepfunctions/jsonpath.hpp"

namespace sj = awan::stepfunctions::jsonpath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json doc = nlohmann::json::parse(
      R"({"a":{"b":[1,2,{"c":"d"}]},"e":[[1],[2,[3]]],"f":null,"g h":true,"x":{"x":{"x":{"x":1}}}})");
  static const nlohmann::json ctx = nlohmann::json::parse(R"({"Execution":{"Id":"arn"},"Map":{"Item":{"Index":0}}})");
  std::string text(reinterpret_cast<const char*>(data), size);
  if (auto p = sj::parse(text)) (void)sj::read(*p, doc, ctx);
  nlohmann::json copy = doc;
  (void)sj::write(copy, text, nlohmann::json(1));
  (void)sj::is_reference_path(text);
  return 0;
}
