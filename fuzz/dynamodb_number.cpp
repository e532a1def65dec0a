// libFuzzer target: DynamoDB numbers (emulators/dynamodb/number.cpp). Input: two number texts
// separated by a newline; each is parsed, and valid ones formatted, compared, added, negated.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dynamodb/number.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::dynamodb;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view ta = in.substr(0, nl);
  std::string_view tb = nl == std::string_view::npos ? ta : in.substr(nl + 1);
  Number a, b;
  (void)parse_number_syntax(ta, a);
  (void)canonical_number(tb);
  bool ok_a = !parse_number(ta, a);
  bool ok_b = !parse_number(tb, b);
  if (ok_a) {
    (void)format_number(a);
    (void)number_size(a);
    (void)format_number(negate_number(a));
  }
  if (ok_a && ok_b) {
    (void)compare_numbers(a, b);
    Number sum = add_numbers(a, b);
    (void)check_number(sum);
    (void)format_number(sum);
  }
  return 0;
}
