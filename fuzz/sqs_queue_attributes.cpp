// libFuzzer target: SQS queue attributes (sqs/queue_attributes.hpp). The input is a JSON
// Attributes map checked for standard and FIFO queues, created and updated; the raw input is also
// a queue name, a RedrivePolicy and a RedriveAllowPolicy, and string arrays are AttributeNames.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/wire.hpp"
#include "sqs/queue_attributes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::sqs;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)check_queue_name(text);
  if (awan::protocol::wire::json_nesting_exceeds(text)) return 0;
  auto redrive = parse_redrive_policy(text);
  if (auto* p = std::get_if<std::optional<RedrivePolicy>>(&redrive); p && *p)
    if ((*p)->max_receive_count < 1 || (*p)->max_receive_count > 1000) __builtin_trap();
  auto allow = parse_redrive_allow_policy(text);
  if (auto* p = std::get_if<std::optional<RedriveAllowPolicy>>(&allow); p && *p) (void)(*p)->allows(text);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  for (bool fifo : {false, true})
    for (bool creating : {false, true}) (void)check_queue_attributes(doc, fifo, creating);
  if (doc.is_array()) {
    std::vector<std::string> names;
    for (const auto& v : doc)
      if (v.is_string()) names.push_back(v.get<std::string>());
    (void)check_attribute_names(names);
  }
  return 0;
}
