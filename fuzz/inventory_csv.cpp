// libFuzzer target: the inventory pipeline's CSV reading (pipelines/inventory/csv.hpp): any
// input as a CSV and as an inventory file; every row kept names a store and an item within
// DynamoDB's key limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipelines/inventory/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::pipelines::inventory;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& r : read_csv(text))
    if (r.fields.size() > 1024) __builtin_trap();
  InventoryFile f = parse_inventory(text);
  for (const auto& row : f.rows)
    if (row.store.empty() || row.item.empty() || row.store.size() > 2048 || row.item.size() > 1024) __builtin_trap();
  return 0;
}
