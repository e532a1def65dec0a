#pragma once
// OpenAPI 3.0 / Swagger 2.0 definitions of REST APIs, with API Gateway's extensions
// (x-amazon-apigateway-integration, -any-method, -binary-media-types, -api-key-source,
// -authorizer, -authtype, -request-validators, -request-validator, -gateway-responses) and
// schemas as models: ImportRestApi/PutRestApi read them, GetExport writes them. JSON, and a
// simple YAML subset (block mappings and sequences, scalars, literal blocks, JSON flow values).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::apigateway {

struct ImportedApi {
  nlohmann::json fields = nlohmann::json::object();  // name, description, version, binaryMediaTypes, apiKeySource
  // One entry per path: {"path": "/pets/{id}", "methods": {"GET": Method document with
  // methodIntegration and methodResponses}}; methods name authorizers by their scheme name
  // ("authorizerName"), which the importer turns into ids.
  std::vector<nlohmann::json> paths;
  nlohmann::json authorizers = nlohmann::json::object();  // scheme name → Authorizer (no id)
  // components.schemas (definitions in Swagger 2) → {"contentType", "schema" (text)}; their
  // "#/components/schemas/X" refs become ".../restapis/{restapi_id}/models/X". Methods name
  // their models in requestModels and their validator by "requestValidatorName".
  nlohmann::json models = nlohmann::json::object();
  nlohmann::json validators = nlohmann::json::object();         // x-amazon-apigateway-request-validators
  nlohmann::json gateway_responses = nlohmann::json::object();  // x-amazon-apigateway-gateway-responses
  std::vector<std::string> warnings;
};

// The definition's document (JSON or YAML); nullopt when it is neither. Depth is bounded.
std::optional<nlohmann::json> parse_definition_text(std::string_view text);
// An API from a parsed definition, or the BadRequestException message.
std::variant<ImportedApi, std::string> import_openapi(const nlohmann::json& definition);

struct ExportInput {
  nlohmann::json api;          // RestApi
  nlohmann::json resources;    // {id: Resource with full methods} (the stage's deployment)
  nlohmann::json authorizers;  // {id: Authorizer}
  std::string stage, host;     // "prod", "abc123.execute-api.us-east-1.amazonaws.com"
  bool swagger = false;        // Swagger 2.0 instead of OpenAPI 3.0.1
  bool extensions = true;      // include the x-amazon-apigateway-* members
};
nlohmann::json export_openapi(const ExportInput& in);
// A YAML rendering of a JSON document (GetExport with Accept: application/yaml).
std::string to_yaml(const nlohmann::json& doc);

}  // namespace awan::apigateway
