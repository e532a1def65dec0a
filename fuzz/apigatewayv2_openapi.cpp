// libFuzzer target: OpenAPI 3 import through the apigatewayv2 service (ImportApi, then
// ReimportApi, ExportApi and the API's deletion), in memory. The input is the document.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "apigateway/apigateway.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static awan::ServiceEnv env;
  static auto svc = awan::apigateway::make_v2_service(env);
  awan::RequestContext ctx;
  std::string body(reinterpret_cast<const char*>(data), size);
  awan::Result r = svc->call(ctx, "ImportApi", {{"Body", body}});
  if (!r.is_error()) {
    if (!r.output.contains("ApiId")) __builtin_trap();
    std::string id = r.output["ApiId"];
    (void)svc->call(ctx, "ReimportApi", {{"ApiId", id}, {"Body", body}});
    awan::Result e = svc->call(ctx, "ExportApi", {{"ApiId", id}, {"Specification", "OAS30"}, {"OutputType", "JSON"}});
    if (e.is_error()) __builtin_trap();
    (void)svc->call(ctx, "GetRoutes", {{"ApiId", id}});
    (void)svc->call(ctx, "DeleteApi", {{"ApiId", id}});
  }
  return 0;
}
