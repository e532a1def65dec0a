// libFuzzer target: Amazon States Language validation (stepfunctions/asl_parser.hpp). The input is
// a definition; every diagnostic must be well formed and validation must not crash or recurse
// without bound; the variables each state references (variables.hpp) are found without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/variables.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = awan::stepfunctions::asl::parse(text);
  for (const auto& d : p.diagnostics)
    if (d.code.empty() || d.location.empty() || d.location[0] != '/') __builtin_trap();
  (void)p.message();
  if (p.document.is_object()) (void)awan::stepfunctions::variables::references(p.document);
  return 0;
}
