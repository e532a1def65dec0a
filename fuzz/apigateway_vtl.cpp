// libFuzzer target: API Gateway mapping templates (apigateway/vtl.hpp). The input is a template,
// rendered over a fixed request; a second render uses the input as the body too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "apigateway/vtl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  awan::apigateway::VtlInput in;
  in.body = R"({"a": {"b": [1, 2, {"c": "d"}]}, "s": "x\"y", "n": 1.5})";
  in.path = {{"id", "42"}};
  in.querystring = {{"q", "v"}};
  in.header = {{"Content-Type", "application/json"}};
  in.context = {{"stage", "prod"}, {"identity", {{"sourceIp", "127.0.0.1"}}}};
  in.stage_variables = {{"v", "1"}};
  (void)awan::apigateway::render_vtl(text, in);
  in.body = text;
  (void)awan::apigateway::render_vtl("$input.json('$') $input.path('$.a') $util.parseJson($input.body)", in);
  return 0;
}
