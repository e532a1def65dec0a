// libFuzzer target: the store's CBOR reader (emulators/dynamodb/cbor.cpp) and its fallback, and
// the writer checked against nlohmann's to_cbor on what was read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>
#include <stdexcept>
#include <string_view>

#include "dynamodb/cbor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nlohmann::json j = awan::dynamodb::decode_cbor(std::string_view(reinterpret_cast<const char*>(data), size));
    // The writer gives nlohmann's bytes for whatever the reader produced (depth: the reader's limit).
    std::string mine;
    awan::dynamodb::encode_cbor(j, mine);
    std::vector<uint8_t> want = nlohmann::json::to_cbor(j);
    if (mine != std::string(reinterpret_cast<const char*>(want.data()), want.size())) std::abort();
  } catch (const std::exception&) {  // malformed (json::parse_error) or nested too deeply
  }
  return 0;
}
