// libFuzzer target: the store's CBOR reader (emulators/dynamodb/cbor.cpp) and its fallback.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "dynamodb/cbor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nlohmann::json j = awan::dynamodb::decode_cbor(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)j.size();
  } catch (const std::exception&) {  // malformed (json::parse_error) or nested too deeply
  }
  return 0;
}
