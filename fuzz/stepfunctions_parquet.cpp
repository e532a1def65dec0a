// libFuzzer target: the Distributed Map's Parquet reader (emulators/stepfunctions/parquet.hpp)
// and the S3 Inventory manifest / inventory-file readers beside it (item_reader.hpp): any input
// gives rows or an error text, rows stay within the limits, and the result serializes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stepfunctions/item_reader.hpp"
#include "stepfunctions/parquet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::stepfunctions;
  std::string input(reinterpret_cast<const char*>(data), size);
  parquet::Limits limits;
  limits.max_rows = 1000;
  limits.max_row_group = 4 * 1024 * 1024;
  auto r = parquet::read(input, limits);
  if (!r.error.empty() && !r.rows.empty()) __builtin_trap();
  if (r.rows.size() > limits.max_rows) __builtin_trap();
  (void)r.rows.dump();  // throws (and so aborts) on invalid UTF-8
  auto m = parse_inventory_manifest(input, "bucket");
  if (m.error.empty() && m.format.empty()) __builtin_trap();
  return 0;
}
