// Lambda layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions,
// DeleteLayerVersion, Add/RemoveLayerVersionPermission and GetLayerVersionPolicy; a function's Layers checked here and unpacked in order into its /opt by
// the execution environment. Neighbours: functions.cpp (Layers in a configuration).
#include <regex>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "lambda/errors.hpp"
#include "lambda/service_impl.hpp"

namespace awan::lambda {

namespace {
void check_layer_name(const std::string& name) {
  static const std::regex kName("[a-zA-Z0-9-_]+");
  if (name.empty() || name.size() > 140 || !std::regex_match(name, kName))
    throw errors::constraint(name, "layerName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+");
}

// The version's public description (without the unpacked directory).
json described(const json& v) {
  json out = v;
  out.erase("dir");
  out.erase("policy");
  return out;
}
}  // namespace

Result LambdaService::publish_layer_version(json& in) {
  std::string name = text_of(in, "LayerName");
  check_layer_name(name);
  json content = in.value("Content", json::object());
  if (!content.contains("ZipFile")) throw errors::invalid("Please provide a source for the layer content.");
  std::string key = account() + "/" + region() + "/" + name;
  json& layer = layers_[key];
  if (!layer.is_object()) layer = {{"versions", json::object()}, {"next", 1}};
  int64_t n = layer.value("next", 1);
  std::string layer_arn = "arn:aws:lambda:" + region() + ":" + account() + ":layer:" + name;
  // The package: ZipFile (fetch_s3_code turned an S3 object into one).
  auto bytes = crypto::base64_decode(content["ZipFile"].get<std::string>());
  if (!bytes) throw errors::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
  json code = unpack(code_root_ + "/layers/" + key, *bytes);
  std::string base = env_.endpoint_url ? env_.endpoint_url() : "http://localhost:4566";
  json v = {{"Content", {{"Location", base + "/_awan/lambda/layers/" + key + "/" + std::to_string(n)},
                         {"CodeSha256", code["sha256"]}, {"CodeSize", code["size"]}}},
            {"LayerArn", layer_arn},
            {"LayerVersionArn", layer_arn + ":" + std::to_string(n)},
            {"Description", text_of(in, "Description")},
            {"CreatedDate", timefmt::iso8601(env_.clock->now(), true).substr(0, 23) + "+0000"},
            {"Version", n},
            {"CompatibleRuntimes", in.value("CompatibleRuntimes", json::array())},
            {"CompatibleArchitectures", in.value("CompatibleArchitectures", json::array())},
            {"dir", code["dir"]}};
  if (in.contains("LicenseInfo")) v["LicenseInfo"] = in["LicenseInfo"];
  layer["versions"][std::to_string(n)] = v;
  layer["next"] = n + 1;
  store_.put_layer(key, layer);
  return Result::ok(described(v));
}

json& LambdaService::require_layer_version(const std::string& account, const std::string& region,
                                           const std::string& name, const std::string& version) {
  auto it = layers_.find(account + "/" + region + "/" + name);
  if (it == layers_.end() || !it->second["versions"].contains(version))
    throw errors::not_found("The resource you requested does not exist.");
  return it->second["versions"][version];
}

Result LambdaService::get_layer_version(json& in) {
  std::string version = in.contains("VersionNumber") ? in["VersionNumber"].dump() : "";
  if (in.contains("VersionNumber") && in["VersionNumber"].is_string()) version = in["VersionNumber"];
  return Result::ok(described(require_layer_version(account(), region(), text_of(in, "LayerName"), version)));
}

Result LambdaService::get_layer_version_by_arn(json& in) {
  std::string arn = text_of(in, "Arn");
  auto a = parse_arn(arn);
  if (!a || a->service != "lambda" || a->resource.rfind("layer:", 0) != 0 || a->resource.find(':', 6) == std::string::npos)
    throw errors::constraint(arn, "arn", "Member must satisfy regular expression pattern: "
                                         "(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)");
  std::string rest = a->resource.substr(6);
  size_t colon = rest.find(':');
  return Result::ok(described(require_layer_version(a->account, a->region, rest.substr(0, colon), rest.substr(colon + 1))));
}

Result LambdaService::list_layers(json& in) {
  std::string prefix = account() + "/" + region() + "/";
  json list = json::array();
  for (auto& [key, layer] : layers_) {
    if (key.rfind(prefix, 0) != 0 || layer["versions"].empty()) continue;
    const json* latest = nullptr;
    for (auto& [n, v] : layer["versions"].items())
      if (!latest || v["Version"].get<int64_t>() > (*latest)["Version"].get<int64_t>()) latest = &v;
    list.push_back({{"LayerName", key.substr(prefix.size())}, {"LayerArn", (*latest)["LayerArn"]},
                    {"LatestMatchingVersion", described(*latest)}});
  }
  return Result::ok({{"Layers", std::move(list)}});
}

Result LambdaService::list_layer_versions(json& in) {
  std::string name = text_of(in, "LayerName");
  auto it = layers_.find(account() + "/" + region() + "/" + name);
  json list = json::array();
  if (it != layers_.end())
    for (auto& [n, v] : it->second["versions"].items()) list.push_back(described(v));
  std::sort(list.begin(), list.end(), [](const json& a, const json& b) { return a["Version"] > b["Version"]; });
  return Result::ok({{"LayerVersions", std::move(list)}});
}

Result LambdaService::delete_layer_version(json& in) {
  std::string key = account() + "/" + region() + "/" + text_of(in, "LayerName");
  std::string version = in.contains("VersionNumber") && in["VersionNumber"].is_number() ? in["VersionNumber"].dump()
                                                                                        : in.value("VersionNumber", "");
  auto it = layers_.find(key);
  if (it != layers_.end() && it->second["versions"].contains(version)) {
    it->second["versions"].erase(version);  // functions keep their unpacked copy (as on AWS)
    store_.put_layer(key, it->second);
  }
  return Result::ok({{"StatusCode", 204}});
}

// ---- layer version permissions (a resource policy per layer version) ----

namespace {
std::string version_of(const json& in) {
  if (in.contains("VersionNumber") && in["VersionNumber"].is_number()) return in["VersionNumber"].dump();
  return in.value("VersionNumber", "");
}
json policy_document(const json& statements, const std::string& layer_version_arn) {
  return {{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", statements}, {"Resource", layer_version_arn}};
}
}  // namespace

Result LambdaService::add_layer_version_permission(json& in) {
  std::string name = text_of(in, "LayerName");
  std::string key = account() + "/" + region() + "/" + name;
  json& v = require_layer_version(account(), region(), name, version_of(in));
  std::string sid = text_of(in, "StatementId"), action = text_of(in, "Action"), principal = text_of(in, "Principal");
  static const std::regex kSid("([a-zA-Z0-9-_]+)"), kPrincipal("\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
  if (sid.empty() || sid.size() > 100 || !std::regex_match(sid, kSid))
    throw errors::constraint(sid, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
  if (action != "lambda:GetLayerVersion")
    throw errors::constraint(action, "action", "Member must satisfy regular expression pattern: lambda:GetLayerVersion");
  if (!std::regex_match(principal, kPrincipal))
    throw errors::constraint(principal, "principal",
                             "Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
  json& policy = v["policy"];
  if (!policy.is_object()) policy = {{"statements", json::array()}, {"revision", ""}};
  if (auto want = text_of(in, "RevisionId"); !want.empty() && want != policy.value("revision", ""))
    throw AwsError("PreconditionFailedException",
                   "The RevisionId provided does not match the latest RevisionId for the Lambda function or alias. Call "
                   "the GetFunction or the GetAlias API to retrieve the latest RevisionId for your resource.",
                   412);
  for (const auto& st : policy["statements"])
    if (st.value("Sid", "") == sid)
      throw errors::conflict("The statement id (" + sid +
                             ") provided already exists. Please provide a new statement id, or remove the existing statement.");
  json statement = {{"Sid", sid}, {"Effect", "Allow"},
                    {"Principal", principal == "*" ? json("*") : json{{"AWS", principal.size() == 12 ? "arn:aws:iam::" + principal + ":root" : principal}}},
                    {"Action", action}, {"Resource", v["LayerVersionArn"]}};
  if (auto org = text_of(in, "OrganizationId"); !org.empty())
    statement["Condition"] = {{"StringEquals", {{"aws:PrincipalOrgID", org}}}};
  policy["statements"].push_back(statement);
  policy["revision"] = ids::uuid4();
  store_.put_layer(key, layers_[key]);
  return Result::ok({{"Statement", statement.dump()}, {"RevisionId", policy["revision"]}});
}

Result LambdaService::remove_layer_version_permission(json& in) {
  std::string name = text_of(in, "LayerName");
  std::string key = account() + "/" + region() + "/" + name;
  json& v = require_layer_version(account(), region(), name, version_of(in));
  std::string sid = text_of(in, "StatementId");
  json& policy = v["policy"];
  bool found = false;
  if (policy.is_object()) {
    if (auto want = text_of(in, "RevisionId"); !want.empty() && want != policy.value("revision", ""))
      throw AwsError("PreconditionFailedException",
                     "The RevisionId provided does not match the latest RevisionId for the Lambda function or alias. Call "
                     "the GetFunction or the GetAlias API to retrieve the latest RevisionId for your resource.",
                     412);
    json kept = json::array();
    for (auto& st : policy["statements"]) {
      if (st.value("Sid", "") == sid) found = true;
      else kept.push_back(st);
    }
    policy["statements"] = kept;
    policy["revision"] = ids::uuid4();
  }
  if (!found) throw errors::not_found("Statement " + sid + " is not found in resource policy.");
  store_.put_layer(key, layers_[key]);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::get_layer_version_policy(json& in) {
  json& v = require_layer_version(account(), region(), text_of(in, "LayerName"), version_of(in));
  const json& policy = v.value("policy", json());
  if (!policy.is_object() || policy["statements"].empty())
    throw errors::not_found("No policy is associated with the given resource.");
  return Result::ok({{"Policy", policy_document(policy["statements"], v["LayerVersionArn"]).dump()},
                     {"RevisionId", policy["revision"]}});
}

json LambdaService::resolve_layers(const json& arns) {
  if (!arns.is_array()) throw errors::invalid("Layers must be a list of layer version ARNs.");
  if (arns.size() > 5) throw errors::invalid("Cannot reference more than 5 layers.");
  json out = json::array();
  for (const auto& a : arns) {
    std::string arn = a.is_string() ? a.get<std::string>() : "";
    auto p = parse_arn(arn);
    size_t colon = p && p->resource.rfind("layer:", 0) == 0 ? p->resource.find(':', 6) : std::string::npos;
    if (colon == std::string::npos) throw errors::invalid("Layer version " + arn + " does not exist.");
    std::string name = p->resource.substr(6, colon - 6), version = p->resource.substr(colon + 1);
    auto it = layers_.find(p->account + "/" + p->region + "/" + name);
    if (it == layers_.end() || !it->second["versions"].contains(version))
      throw errors::invalid("Layer version " + arn + " does not exist.");
    const json& v = it->second["versions"][version];
    out.push_back({{"Arn", arn}, {"CodeSize", v["Content"]["CodeSize"]}, {"dir", v["dir"]}});
  }
  return out;
}

}  // namespace awan::lambda
