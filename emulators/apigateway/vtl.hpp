#pragma once
// API Gateway mapping templates: a bounded subset of the Velocity Template Language —
// references ($x, ${x}, $!x, chains of .member, .method(args), [index]), #set, #if/#elseif/
// #else/#end, #foreach (at most 1000 iterations), #break, ## and #* *# comments; expressions with
// literals, lists, maps, ranges, arithmetic, comparison and logic. Roots: $input (json, path,
// body, params), $util (escapeJavaScript, base64Encode, base64Decode, urlEncode, urlDecode,
// parseJson), $context, $stageVariables.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::apigateway {

struct VtlInput {
  std::string body;  // $input.body; $input.json/path read it as JSON
  std::map<std::string, std::string> path, querystring, header;
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json stage_variables = nlohmann::json::object();
};

struct VtlResult {
  bool ok = true;
  std::string output;
  std::string error;  // when !ok: what was wrong with the template
};

VtlResult render_vtl(const std::string& template_text, const VtlInput& input);

// A JSONPath subset ("$", "$.a.b", "$.a[0]", "$['a b']", "$.a[*]" is not supported) over a document; null when absent.
nlohmann::json json_path(const nlohmann::json& doc, const std::string& path);

}  // namespace awan::apigateway
