// libFuzzer target: SNS filter policies (sns/filter_policy.hpp). The input is a FilterPolicy parsed
// in both scopes; a policy that parses is matched against fixed messages and the input as a body.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "sns/filter_policy.hpp"

namespace {

const nlohmann::json& fixed_attributes() {
  static const nlohmann::json attributes = nlohmann::json::parse(R"({
    "store": {"DataType": "String", "StringValue": "example_corp"},
    "price": {"DataType": "Number", "StringValue": "301.5"},
    "interests": {"DataType": "String.Array", "StringValue": "[\"rugby\", 5, true, null, [1]]"},
    "ip": {"DataType": "String", "StringValue": "10.0.0.7"},
    "ip6": {"DataType": "String.custom", "StringValue": "2001:db8::1"},
    "blob": {"DataType": "Binary", "BinaryValue": "AAEC"},
    "bad": {"DataType": "Number", "StringValue": "1e999"},
    "odd": "not an attribute"
  })");
  return attributes;
}

constexpr std::string_view kBodies[] = {
    R"({"store": "example_corp", "price": 301.5, "order": {"items": [{"sku": "a"}, {"sku": 5}]}})",
    R"({"a": null, "b": [true, false, [1e300, -0.00001]], "ip": "::1"})",
    "not json",
    "[1, 2]",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::sns;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_filter_scope(text);
  for (FilterScope scope : {FilterScope::MessageAttributes, FilterScope::MessageBody}) {
    auto parsed = parse_filter_policy(text, scope);
    auto* policy = std::get_if<FilterPolicy>(&parsed);
    if (!policy) continue;
    if (policy->scope() != scope) __builtin_trap();
    for (std::string_view body : kBodies) (void)policy->matches(fixed_attributes(), body);
    (void)policy->matches(nlohmann::json::object(), text);
  }
  return 0;
}
