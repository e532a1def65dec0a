// libFuzzer target: Lambda proxy results (core/proxy_event.hpp). The input is a function's
// output, mapped with both payload formats; and a raw query string, parsed for the events.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/proxy_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  if (auto a = awan::proxy_result_v1(input)) {
    if (a->status < 100 || a->status > 599) __builtin_trap();
  }
  if (auto a = awan::proxy_result_v2(input)) {
    if (a->status < 100 || a->status > 599) __builtin_trap();
  }
  awan::ProxyRequest r;
  r.raw_query = input;
  r.headers = {{"Cookie", input}, {"X", input}};
  r.body = input;
  (void)awan::proxy_event_v1(r);
  (void)awan::proxy_event_v2(r);
  (void)awan::decode_path(input);
  return 0;
}
