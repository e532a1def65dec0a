// libFuzzer target: lifecycle configurations (s3/lifecycle.hpp). The input is a JSON document,
// validated as a LifecycleConfiguration; an accepted one decides on a few object versions and an
// upload.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "s3/lifecycle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::s3;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  LifecycleConfig config;
  nlohmann::json normalized;
  if (parse_lifecycle_configuration(doc, config, &normalized)) return 0;
  const time_point t0{std::chrono::seconds(1'600'000'000)};
  LifecycleObject o;
  o.key = "logs/a";
  o.size = 100;
  o.tags = {{"k", "v"}};
  o.last_modified = t0;
  for (int variant = 0; variant < 3; ++variant) {
    o.is_latest = variant != 1;
    o.is_delete_marker = variant == 2;
    o.noncurrent_since = t0;
    o.newer_noncurrent_versions = variant;
    (void)decide_object(config, o, t0 + std::chrono::hours(24 * 400));
  }
  (void)current_expiration(config, o);
  (void)decide_upload(config, "logs/u", t0, t0 + std::chrono::hours(24 * 400));
  return 0;
}
