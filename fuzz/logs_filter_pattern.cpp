// libFuzzer target: CloudWatch Logs filter patterns (logs/filter_pattern.hpp). The input is parsed
// as a pattern; a pattern that parses is matched against fixed messages and the input itself.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "logs/filter_pattern.hpp"

namespace {
constexpr std::string_view kMessages[] = {
    "ERROR disk full on /dev/sda1",
    R"({"eventType":"UpdateTrail","latency":120,"ok":false,"user":{"name":"alice"},"items":[{"sku":"a"},1e300],"n":null})",
    R"([{"a":1},[2,[3]]])",
    "{broken",
    "",
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = awan::logs::FilterPattern::parse(in);
  if (const auto* p = std::get_if<awan::logs::FilterPattern>(&parsed)) {
    for (auto m : kMessages) p->matches(m);
    p->matches(in);
  }
  return 0;
}
