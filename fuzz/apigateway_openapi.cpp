// libFuzzer target: OpenAPI / Swagger import (apigateway/openapi.hpp), JSON and the YAML subset;
// an import that succeeds is exported again in both forms and as YAML.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "apigateway/openapi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = awan::apigateway::parse_definition_text(text);
  if (!def) return 0;
  auto imported = awan::apigateway::import_openapi(*def);
  auto* api = std::get_if<awan::apigateway::ImportedApi>(&imported);
  if (!api) return 0;
  awan::apigateway::ExportInput x;
  x.api = api->fields;
  nlohmann::json resources = nlohmann::json::object();
  size_t i = 0;
  for (const auto& p : api->paths)
    resources["r" + std::to_string(i++)] = {{"path", p["path"]}, {"resourceMethods", p["methods"]}};
  x.resources = resources;
  x.authorizers = api->authorizers;
  x.stage = "prod";
  x.host = "h";
  (void)awan::apigateway::to_yaml(awan::apigateway::export_openapi(x));
  x.swagger = true;
  (void)awan::apigateway::export_openapi(x).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
