// libFuzzer target: SQS message attributes (sqs/message_attributes.hpp). The input is a JSON
// document parsed as MessageAttributes and MessageSystemAttributes; accepted ones are digested,
// sized and selected, and the raw input is checked as a message body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/wire.hpp"
#include "sqs/message_attributes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::sqs;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)check_message_body(text);
  if (awan::protocol::wire::json_nesting_exceeds(text)) return 0;
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  for (bool system : {false, true}) {
    auto parsed = system ? parse_system_attributes(doc) : parse_message_attributes(doc);
    if (!std::holds_alternative<MessageAttributes>(parsed)) continue;
    const auto& attrs = std::get<MessageAttributes>(parsed);
    (void)md5_of_attributes(attrs);
    (void)attributes_size(attrs);
    std::vector<std::string> selection = {"All"};
    if (!attrs.empty()) selection = {attrs.front().first, attrs.back().first + ".*", ".*"};
    (void)to_document(attrs, &selection);
    nlohmann::json back = to_document(attrs);
    auto again = system ? parse_system_attributes(back) : parse_message_attributes(back);
    if (!std::holds_alternative<MessageAttributes>(again) ||
        md5_of_attributes(std::get<MessageAttributes>(again)) != md5_of_attributes(attrs))
      __builtin_trap();  // the document form must round-trip
    for (const auto& [name, attr] : attrs) (void)selects(name, attr.data_type);
  }
  return 0;
}
