// libFuzzer target: the JSONata subset (stepfunctions/jsonata.hpp): parse an expression and
// evaluate it over fixed $states and variables; failures must be StatesError values (or a
// nullptr parse), never crashes, hangs or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"

namespace sj = awan::stepfunctions::jsonata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json states = nlohmann::json::parse(
      R"({"input":{"a":[1,2,3],"s":"a,b","o":{"k":1,"l":[{"m":2},{"m":3}]},"n":5},"result":{"ok":true},)"
      R"("context":{"Execution":{"Name":"x"},"Map":{"Item":{"Index":0,"Value":7}}}})");
  static const nlohmann::json variables = nlohmann::json::parse(R"({"v":1,"w":"text"})");
  std::string text(reinterpret_cast<const char*>(data), size);
  auto node = sj::parse(text);
  if (!node) return 0;
  try {
    auto v = sj::evaluate(*node, sj::Bindings{states, variables});
    if (v) (void)v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const awan::stepfunctions::StatesError&) {
  }
  return 0;
}
