// libFuzzer target: NotificationConfiguration documents (s3/event_shapes.hpp). The input is a
// JSON document; an accepted configuration is rendered back and matched against an event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "s3/event_shapes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::s3;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  NotificationConfig config;
  if (parse_notification_configuration(doc, config)) return 0;
  // What GetBucketNotificationConfiguration returns must be accepted again as it is.
  NotificationConfig again;
  if (parse_notification_configuration(notification_configuration_document(config), again)) std::abort();
  (void)matching_targets(config, "s3:ObjectCreated:Put", "in/a b.csv");
  EventRecordInput in;
  in.event_name = "s3:ObjectRemoved:Delete";
  in.object.key = "in/a b.csv";
  (void)event_record(in).dump();
  return 0;
}
