// libFuzzer target: Distributed Map's ItemReader parsing (stepfunctions/item_reader.hpp): the
// first byte picks the input type and header mode, the rest is the S3 object's body; malformed
// bodies must be error values, never crashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stepfunctions/item_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* types[] = {"CSV", "JSON", "JSONL", "CSV"};
  uint8_t mode = data[0];
  nlohmann::json config = nlohmann::json::object();
  if (mode & 4) config = {{"CSVHeaderLocation", "GIVEN"}, {"CSVHeaders", {"a", "b", "c"}}};
  if (mode & 8) config["MaxItems"] = mode >> 4;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = awan::stepfunctions::parse_item_reader(body, types[mode & 3], config);
  (void)r.items.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
