// libFuzzer target: intrinsic functions (stepfunctions/intrinsics.hpp): parse "States.X(...)" and
// evaluate it over a fixed input; failures must be StatesError values, never crashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonpath.hpp"

namespace si = awan::stepfunctions::intrinsics;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json input = nlohmann::json::parse(R"({"a":[1,2,3],"s":"a,b","o":{"k":1},"n":5,"t":"{\"x\":1}"})");
  std::string text(reinterpret_cast<const char*>(data), size);
  auto e = si::parse(text);
  if (!e) return 0;
  try {
    (void)si::evaluate(*e, [](const std::string& p) {
      return awan::stepfunctions::jsonpath::read(p, input, nlohmann::json::object());
    });
  } catch (const awan::stepfunctions::StatesError&) {
  }
  return 0;
}
