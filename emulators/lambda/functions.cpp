// Lambda functions: create, read, list, update code and configuration, delete, versions,
// aliases, resource policies, reserved concurrency, event-invoke configurations, tags and the
// account's settings. Neighbours: invoke.cpp runs what these store.
#include <filesystem>
#include <random>
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
constexpr uint64_t kMaxZippedBytes = 52428800;  // a direct upload (ZipFile)

std::string last_modified(int64_t ms) {
  // Lambda's form: 2024-01-01T12:00:00.000+0000
  std::string t = timefmt::iso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)), true);
  return t.substr(0, t.size() - 1) + "+0000";
}

const std::set<std::string>& supported_runtimes() {
  static const std::set<std::string> r = {
      "nodejs18.x", "nodejs20.x", "nodejs22.x", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
      "provided", "provided.al2", "provided.al2023", "java11", "java17", "java21", "java8.al2", "dotnet8",
      "ruby3.2", "ruby3.3"};
  return r;
}
const std::set<std::string>& deprecated_runtimes() {
  static const std::set<std::string> r = {"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x",
                                          "nodejs12.x", "nodejs14.x", "nodejs16.x", "python2.7", "python3.6",
                                          "python3.7", "python3.8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
                                          "dotnetcore3.1", "dotnet6", "go1.x", "ruby2.5", "ruby2.7", "java8"};
  return r;
}
const std::set<std::string>& reserved_variables() {
  static const std::set<std::string> r = {
      "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"};
  return r;
}

void check_range(const json& in, const char* member, const char* wire, int64_t lo, int64_t hi) {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return;
  if (!it->is_number_integer()) throw errors::invalid(std::string(member) + " must be an integer");
  int64_t v = it->get<int64_t>();
  if (v < lo)
    throw errors::constraint(std::to_string(v), wire, "Member must have value greater than or equal to " + std::to_string(lo));
  if (v > hi)
    throw errors::constraint(std::to_string(v), wire, "Member must have value less than or equal to " + std::to_string(hi));
}

std::string code_sha256(const std::string& zip) { return crypto::base64_encode(crypto::sha256(zip)); }
}  // namespace

void LambdaService::check_configuration(const json& in, bool creating) {
  if (in.contains("Runtime") || creating) {
    std::string runtime = text_of(in, "Runtime");
    if (runtime.empty() && creating && text_of(in, "PackageType") != "Image")
      throw errors::invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    if (deprecated_runtimes().count(runtime))
      throw errors::invalid("The runtime parameter of " + runtime +
                            " is no longer supported for creating or updating AWS Lambda functions. We recommend you "
                            "use a supported runtime while creating or updating functions.");
    if (!runtime.empty() && !supported_runtimes().count(runtime)) {
      std::string list;
      for (const auto& r : supported_runtimes()) list += (list.empty() ? "" : ", ") + r;
      throw errors::constraint(runtime, "runtime", "Member must satisfy enum value set: [" + list + "]");
    }
  }
  if (text_of(in, "PackageType") == "Image") throw errors::invalid("Container image functions are not supported by Awan.");
  if (in.contains("Role") || creating) {
    std::string role = text_of(in, "Role");
    static const std::regex kRole(R"(arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+)");
    if (!std::regex_match(role, kRole))
      throw errors::constraint(role, "role",
                               "Member must satisfy regular expression pattern: "
                               "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    if (env_.call_service) {
      bool exists = false;
      RequestContext c = ctx_ ? *ctx_ : RequestContext{};
      c.account_id = role.substr(role.find("::") + 2, 12);
      c.payload.reset();
      std::string name = role.substr(role.rfind('/') + 1);
      env_.call_service(c, "iam", "GetRole", {{"RoleName", name}}, [&](Result r) { exists = !r.error; });
      if (!exists) throw errors::invalid("The role defined for the function cannot be assumed by Lambda.");
    }
  }
  std::string handler = text_of(in, "Handler");
  if (handler.size() > 128 || handler.find_first_of(" \t\r\n") != std::string::npos)
    throw errors::constraint(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
  check_range(in, "Timeout", "timeout", 1, 900);
  check_range(in, "MemorySize", "memorySize", 128, 10240);
  if (auto e = in.find("EphemeralStorage"); e != in.end() && e->is_object())
    check_range(*e, "Size", "ephemeralStorage.size", 512, 10240);
  if (auto e = in.find("Environment"); e != in.end() && e->is_object()) {
    json vars = e->value("Variables", json::object());
    std::string reserved;
    static const std::regex kKey("[a-zA-Z]([a-zA-Z0-9_])+");
    for (auto& [k, v] : vars.items()) {
      if (reserved_variables().count(k)) reserved += (reserved.empty() ? "" : ",") + k;
      if (!std::regex_match(k, kKey))
        throw errors::constraint(k, "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+");
    }
    if (!reserved.empty())
      throw errors::invalid(
          "Lambda was unable to configure your environment variables because the environment variables you have "
          "provided contains reserved keys that are currently not supported for modification. Reserved keys used in "
          "this request: " + reserved);
    if (vars.dump().size() > 4096)
      throw errors::invalid(
          "Lambda was unable to configure your environment variables because the environment variables you have "
          "provided exceeded the 4KB limit. String measured: " + vars.dump());
  }
  if (auto a = in.find("Architectures"); a != in.end() && a->is_array()) {
    if (a->size() != 1 || ((*a)[0] != "x86_64" && (*a)[0] != "arm64"))
      throw errors::constraint(a->dump(), "architectures", "Member must satisfy enum value set: [x86_64, arm64]");
  }
}

json LambdaService::store_code(const Function& f, const json& code_in, const std::string& handler) {
  std::string zip;
  if (auto z = code_in.find("ZipFile"); z != code_in.end() && z->is_string()) {
    auto bytes = crypto::base64_decode(z->get<std::string>());
    if (!bytes) throw errors::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    zip = std::move(*bytes);
  } else if (code_in.contains("S3Bucket") || code_in.contains("S3Key")) {
    // fetch_s3_code (before the service's mutex is taken) turned a readable object into ZipFile.
    throw errors::invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.");
  } else if (code_in.contains("ImageUri")) {
    throw errors::invalid("Container image functions are not supported by Awan.");
  } else if (handler.rfind("awan:", 0) != 0) {
    throw errors::invalid("Please provide a source for function code.");
  }
  if (zip.size() > kMaxZippedBytes)
    throw AwsError("RequestEntityTooLargeException", "Request must be smaller than 69905067 bytes for the CreateFunction operation", 413);
  return unpack(code_root_ + "/" + f.account + "/" + f.region + "/" + f.name, zip);
}

json LambdaService::unpack(const std::string& base, const std::string& zip) {
  std::string dir = base + "/" + crypto::hex(crypto::sha256(zip)).substr(0, 16) + "-" +
                    ids::random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!zip.empty())
    if (auto err = unzip(zip, dir + "/code")) throw errors::invalid(*err);
  std::filesystem::create_directories(dir + "/code", ec);
  return {{"dir", dir + "/code"}, {"sha256", code_sha256(zip)}, {"size", zip.size()}};
}

// CreateFunction / UpdateFunctionCode from S3: the object is read before the operation takes the
// service's mutex (S3 asks Lambda about destinations while holding its own), and handed to it
// as ZipFile; an object that cannot be read gives AWS's error at once.
std::optional<AwsError> LambdaService::fetch_s3_code(const RequestContext& ctx, json& in) {
  json& code = in.contains("Code") ? in["Code"] : in.contains("Content") ? in["Content"] : in;
  if (!code.is_object() || !(code.contains("S3Bucket") || code.contains("S3Key")) || !env_.call_service) return std::nullopt;
  json get = {{"Bucket", text_of(code, "S3Bucket")}, {"Key", text_of(code, "S3Key")}};
  if (auto v = text_of(code, "S3ObjectVersion"); !v.empty()) get["VersionId"] = v;
  RequestContext c = ctx;
  c.payload.reset();
  Result r = Client(env_.call_service, c).call("s3", "GetObject", get);
  std::optional<std::string> bytes = r.error || !r.payload ? std::nullopt : r.payload->read_all();
  if (!bytes)
    return errors::invalid("Error occurred while GetObject. S3 Error Code: " + (r.error ? r.error->code : "NoSuchKey") +
                           ". S3 Error Message: " + (r.error ? r.error->message : "The specified key does not exist."));
  for (const char* k : {"S3Bucket", "S3Key", "S3ObjectVersion"}) code.erase(k);
  code["ZipFile"] = crypto::base64_encode(*bytes);
  return std::nullopt;
}

json LambdaService::configuration(const Function& f, const json& config) const {
  json c = config;
  if (auto l = c.find("Layers"); l != c.end() && l->is_array())
    for (auto& layer : *l) layer.erase("dir");  // where Awan unpacked it: not part of the answer
  std::string runtime = c.value("Runtime", "");
  bool in_process = c.value("Handler", "").rfind("awan:", 0) == 0;
  if (auto why = in_process ? std::nullopt : runtime_unavailable(runtime)) {
    c["State"] = "Failed";
    c["StateReason"] = *why;
    c["StateReasonCode"] = "InvalidRuntime";
  } else {
    c["State"] = "Active";
  }
  c["LastUpdateStatus"] = "Successful";
  return c;
}

Result LambdaService::create_function(json& in) {
  std::string name = text_of(in, "FunctionName");
  FunctionRef ref = parse_function_name(in);
  if (!ref.qualifier.empty()) throw errors::invalid("Function name cannot contain a qualifier.");
  if (find_function(ref.account, ref.region, ref.name)) throw errors::conflict("Function already exist: " + ref.name);
  check_configuration(in, true);
  auto f = std::make_unique<Function>();
  f->account = ref.account;
  f->region = ref.region;
  f->name = ref.name;
  std::string handler = text_of(in, "Handler");
  json code = store_code(*f, in.value("Code", json::object()), handler);
  int64_t now = now_ms();
  json c = {{"FunctionName", f->name},
            {"FunctionArn", f->arn()},
            {"Runtime", text_of(in, "Runtime")},
            {"Role", text_of(in, "Role")},
            {"Handler", handler},
            {"CodeSize", code["size"]},
            {"Description", text_of(in, "Description")},
            {"Timeout", in.value("Timeout", 3)},
            {"MemorySize", in.value("MemorySize", 128)},
            {"LastModified", last_modified(now)},
            {"CodeSha256", code["sha256"]},
            {"Version", "$LATEST"},
            {"TracingConfig", {{"Mode", in.value("TracingConfig", json::object()).value("Mode", "PassThrough")}}},
            {"RevisionId", ids::uuid4()},
            {"PackageType", "Zip"},
            {"Architectures", in.value("Architectures", json::array({"x86_64"}))},
            {"EphemeralStorage", {{"Size", in.value("EphemeralStorage", json::object()).value("Size", 512)}}},
            {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
            {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + f->name}}}};
  if (in.contains("Environment")) c["Environment"] = {{"Variables", in["Environment"].value("Variables", json::object())}};
  if (in.contains("DeadLetterConfig")) c["DeadLetterConfig"] = in["DeadLetterConfig"];
  if (in.contains("Layers")) c["Layers"] = resolve_layers(in["Layers"]);
  f->doc = {{"config", c}, {"code", code}, {"versions", json::object()}, {"next_version", 1},
            {"aliases", json::object()}, {"tags", in.value("Tags", json::object())}, {"event_invoke", json::object()}};
  Function& ref_f = *f;
  functions_[ref.account + "/" + ref.region + "/" + ref.name] = std::move(f);
  json out = configuration(ref_f, c);
  out["State"] = out["State"] == "Failed" ? "Failed" : "Pending";
  out["StateReason"] = out.value("StateReason", "The function is being created.");
  out["StateReasonCode"] = out.value("StateReasonCode", "Creating");
  if (in.value("Publish", false) == true) {
    save(ref_f);
    json pub = {{"FunctionName", ref_f.name}};
    publish_version(pub);
  }
  save(ref_f);
  return Result::ok(std::move(out));
}

Target LambdaService::resolve(const FunctionRef& ref, bool weighted) {
  Function& f = require_function(ref);
  Target t;
  t.account = f.account;
  t.region = f.region;
  t.name = f.name;
  t.arn = f.arn();
  t.qualified_arn = ref.qualifier.empty() ? t.arn : t.arn + ":" + ref.qualifier;
  std::string version = ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
  if (auto a = f.doc["aliases"].find(version); a != f.doc["aliases"].end()) {
    version = (*a)["FunctionVersion"];
    // An alias that routes a share of its invocations to a second version.
    const json weights = a->value("RoutingConfig", json::object()).value("AdditionalVersionWeights", json::object());
    if (weighted && weights.is_object() && weights.size() == 1 && weights.begin()->is_number()) {
      thread_local std::mt19937_64 random{std::random_device{}()};
      if (std::uniform_real_distribution<double>(0.0, 1.0)(random) < weights.begin()->get<double>())
        version = weights.begin().key();
    }
  }
  if (version == "$LATEST") {
    t.config = f.doc["config"];
    t.code = f.doc["code"];
  } else {
    auto v = f.doc["versions"].find(version);
    if (v == f.doc["versions"].end()) throw errors::function_not_found(t.qualified_arn);
    t.config = (*v)["config"];
    t.code = (*v)["code"];
  }
  t.version = version;
  if (f.doc.contains("concurrency")) t.reserved = f.doc["concurrency"].get<int64_t>();
  return t;
}

Result LambdaService::get_function_configuration(json& in) {
  Target t = resolve(parse_function_name(in));
  return Result::ok(configuration(require_function({t.account, t.region, t.name, ""}), t.config));
}

Result LambdaService::get_function(json& in) {
  FunctionRef ref = parse_function_name(in);
  Target t = resolve(ref);
  Function& f = require_function(ref);
  std::string base = env_.endpoint_url ? env_.endpoint_url() : "http://localhost:4566";
  json out = {{"Configuration", configuration(f, t.config)},
              {"Code", {{"RepositoryType", "S3"}, {"Location", base + "/_awan/lambda/code/" + f.account + "/" + f.region + "/" + f.name}}}};
  if (!f.doc["tags"].empty()) out["Tags"] = f.doc["tags"];
  if (t.reserved) out["Concurrency"] = {{"ReservedConcurrentExecutions", *t.reserved}};
  return Result::ok(std::move(out));
}

Result LambdaService::list_functions(json& in) {
  std::string marker = text_of(in, "Marker");
  int max = in.value("MaxItems", 50);
  if (max < 1 || max > 10000) throw errors::constraint(std::to_string(max), "maxItems", "Member must have value between 1 and 10000");
  bool all = text_of(in, "FunctionVersion") == "ALL";
  std::string prefix = account() + "/" + region() + "/";
  json list = json::array();
  for (auto it = functions_.lower_bound(marker.empty() ? prefix : prefix + marker); it != functions_.end(); ++it) {
    if (it->first.rfind(prefix, 0) != 0) break;
    if (!marker.empty() && it->second->name == marker) continue;
    if (static_cast<int>(list.size()) == max) return Result::ok({{"Functions", list}, {"NextMarker", list.back()["FunctionName"]}});
    Function& f = *it->second;
    list.push_back(configuration(f, f.doc["config"]));
    if (all)
      for (auto& [n, v] : f.doc["versions"].items()) list.push_back(configuration(f, v["config"]));
  }
  return Result::ok({{"Functions", std::move(list)}});
}

Result LambdaService::update_function_code(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  json& c = f.doc["config"];
  json code = store_code(f, in, c.value("Handler", ""));
  f.doc["code"] = code;
  c["CodeSha256"] = code["sha256"];
  c["CodeSize"] = code["size"];
  c["LastModified"] = last_modified(now_ms());
  c["RevisionId"] = ids::uuid4();
  if (in.contains("Architectures")) c["Architectures"] = in["Architectures"];
  {
    std::lock_guard p(pools_mu_);
    pools_.erase(f.arn() + ":$LATEST");
  }
  save(f);
  json out = configuration(f, c);
  if (in.value("Publish", false) == true) {
    json pub = {{"FunctionName", f.name}};
    publish_version(pub);
  }
  out["LastUpdateStatus"] = "InProgress";
  out["LastUpdateStatusReason"] = "The function is being created.";
  out["LastUpdateStatusReasonCode"] = "Creating";
  return Result::ok(std::move(out));
}

Result LambdaService::update_function_configuration(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  check_configuration(in, false);
  json& c = f.doc["config"];
  if (auto rev = text_of(in, "RevisionId"); !rev.empty() && rev != c.value("RevisionId", ""))
    throw AwsError("PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API "
                   "to retrieve the latest Revision Id",
                   412);
  for (const char* k : {"Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "DeadLetterConfig"})
    if (in.contains(k)) c[k] = in[k];
  if (in.contains("Environment")) c["Environment"] = {{"Variables", in["Environment"].value("Variables", json::object())}};
  if (in.contains("TracingConfig")) c["TracingConfig"] = {{"Mode", in["TracingConfig"].value("Mode", "PassThrough")}};
  if (in.contains("EphemeralStorage")) c["EphemeralStorage"] = {{"Size", in["EphemeralStorage"].value("Size", 512)}};
  if (in.contains("Layers")) c["Layers"] = resolve_layers(in["Layers"]);
  c["LastModified"] = last_modified(now_ms());
  c["RevisionId"] = ids::uuid4();
  {
    std::lock_guard p(pools_mu_);
    pools_.erase(f.arn() + ":$LATEST");
  }
  save(f);
  json out = configuration(f, c);
  out["LastUpdateStatus"] = "InProgress";
  out["LastUpdateStatusReason"] = "The function is being created.";
  out["LastUpdateStatusReasonCode"] = "Creating";
  return Result::ok(std::move(out));
}

Result LambdaService::delete_function(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  if (!ref.qualifier.empty()) {
    if (ref.qualifier == "$LATEST") throw errors::invalid("$LATEST version cannot be deleted without deleting the function.");
    if (!f.doc["versions"].contains(ref.qualifier)) throw errors::function_not_found(f.arn() + ":" + ref.qualifier);
    for (auto& [n, a] : f.doc["aliases"].items())
      if (a.value("FunctionVersion", "") == ref.qualifier)
        throw errors::conflict("Unable to delete version because the following aliases reference it: [" + n + "]");
    f.doc["versions"].erase(ref.qualifier);
    save(f);
    return Result::ok({{"StatusCode", 204}});
  }
  std::string arn = f.arn();
  forget_function_urls(f, "");
  store_.delete_function(f.account, f.region, f.name);
  std::error_code ec;
  std::filesystem::remove_all(code_root_ + "/" + f.account + "/" + f.region + "/" + f.name, ec);
  functions_.erase(ref.account + "/" + ref.region + "/" + ref.name);
  std::lock_guard p(pools_mu_);
  for (auto it = pools_.begin(); it != pools_.end();) it = it->first.rfind(arn + ":", 0) == 0 ? pools_.erase(it) : std::next(it);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::publish_version(json& in) {
  Function& f = require_function(parse_function_name(in));
  const json& latest = f.doc["config"];
  if (auto sha = text_of(in, "CodeSha256"); !sha.empty() && sha != latest.value("CodeSha256", ""))
    throw errors::invalid("CodeSHA256 (" + sha + ") is different from current CodeSHA256 in $LATEST (" +
                          latest.value("CodeSha256", "") + "). Please try again with the CodeSHA256 in $LATEST.");
  // Nothing changed since the last version: that version again (as AWS).
  std::string last;
  for (auto& [n, v] : f.doc["versions"].items())
    if (last.empty() || std::stoll(n) > std::stoll(last)) last = n;
  if (!last.empty()) {
    json prev = f.doc["versions"][last]["config"];
    json now = latest;
    for (json* c : {&prev, &now})
      for (const char* k : {"Version", "FunctionArn", "RevisionId", "LastModified", "Description"}) c->erase(k);
    if (prev == now) return Result::ok(configuration(f, f.doc["versions"][last]["config"]));
  }
  int64_t n = f.doc.value("next_version", 1);
  f.doc["next_version"] = n + 1;
  json c = latest;
  c["Version"] = std::to_string(n);
  c["FunctionArn"] = f.arn() + ":" + std::to_string(n);
  c["RevisionId"] = ids::uuid4();
  if (in.contains("Description")) c["Description"] = in["Description"];
  f.doc["versions"][std::to_string(n)] = {{"config", c}, {"code", f.doc["code"]}};
  save(f);
  return Result::ok(configuration(f, c));
}

Result LambdaService::list_versions_by_function(json& in) {
  Function& f = require_function(parse_function_name(in));
  json list = json::array({configuration(f, f.doc["config"])});
  std::vector<std::pair<int64_t, const json*>> versions;
  for (auto& [n, v] : f.doc["versions"].items()) versions.emplace_back(std::stoll(n), &v);
  std::sort(versions.begin(), versions.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [n, v] : versions) list.push_back(configuration(f, (*v)["config"]));
  return Result::ok({{"Versions", std::move(list)}});
}

// ---- aliases ----

// AWS's rules for an alias's RoutingConfig: one additional version, a weight from 0 to 1, a
// published version other than the alias's own, and never $LATEST.
static void check_routing(const Function& f, const json& in, const std::string& primary) {
  auto rc = in.find("RoutingConfig");
  if (rc == in.end() || !rc->is_object()) return;
  json weights = rc->value("AdditionalVersionWeights", json::object());
  if (!weights.is_object() || weights.empty()) return;
  if (weights.size() > 1)
    throw errors::constraint(weights.dump(), "routingConfig.additionalVersionWeights",
                             "Map value must satisfy constraint: [Member must have length less than or equal to 1]");
  const std::string version = weights.begin().key();
  const json& w = *weights.begin();
  if (!w.is_number() || w.get<double>() < 0.0 || w.get<double>() > 1.0)
    throw errors::constraint(w.dump(), "routingConfig.additionalVersionWeights",
                             "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                             "Member must have value greater than or equal to 0.0]");
  if (version == "$LATEST" || primary == "$LATEST")
    throw errors::invalid("$LATEST is not supported for an alias pointing to more than 1 version");
  if (version == primary)
    throw errors::invalid("Invalid function version " + version + ". Function version " + version +
                          " is already included in routing configuration.");
  if (!f.doc["versions"].contains(version)) throw errors::function_not_found(f.arn() + ":" + version);
}

static void check_alias_name(const std::string& name) {
  static const std::regex kName("(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  if (name.empty() || name.size() > 128 || !std::regex_match(name, kName))
    throw errors::constraint(name, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
}

Result LambdaService::create_alias(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string name = text_of(in, "Name"), version = text_of(in, "FunctionVersion");
  check_alias_name(name);
  std::string arn = f.arn() + ":" + name;
  if (f.doc["aliases"].contains(name)) throw errors::conflict("Alias already exists: " + arn);
  if (version != "$LATEST" && !f.doc["versions"].contains(version)) throw errors::function_not_found(f.arn() + ":" + version);
  check_routing(f, in, version);
  json a = {{"AliasArn", arn}, {"Name", name}, {"FunctionVersion", version},
            {"Description", text_of(in, "Description")}, {"RevisionId", ids::uuid4()}};
  if (in.contains("RoutingConfig")) a["RoutingConfig"] = in["RoutingConfig"];
  f.doc["aliases"][name] = a;
  save(f);
  return Result::ok(a);
}

Result LambdaService::get_alias(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string name = text_of(in, "Name");
  auto a = f.doc["aliases"].find(name);
  if (a == f.doc["aliases"].end()) throw errors::not_found("Cannot find alias arn: " + f.arn() + ":" + name);
  return Result::ok(*a);
}

Result LambdaService::update_alias(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string name = text_of(in, "Name");
  auto a = f.doc["aliases"].find(name);
  if (a == f.doc["aliases"].end()) throw errors::not_found("Cannot find alias arn: " + f.arn() + ":" + name);
  if (auto v = text_of(in, "FunctionVersion"); !v.empty()) {
    if (v != "$LATEST" && !f.doc["versions"].contains(v)) throw errors::function_not_found(f.arn() + ":" + v);
    (*a)["FunctionVersion"] = v;
  }
  if (in.contains("Description")) (*a)["Description"] = in["Description"];
  check_routing(f, in.contains("RoutingConfig") ? in : json{{"RoutingConfig", a->value("RoutingConfig", json::object())}},
                (*a)["FunctionVersion"].get<std::string>());
  if (in.contains("RoutingConfig")) (*a)["RoutingConfig"] = in["RoutingConfig"];
  (*a)["RevisionId"] = ids::uuid4();
  json out = *a;
  save(f);
  return Result::ok(out);
}

Result LambdaService::delete_alias(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string name = text_of(in, "Name");
  if (f.doc["aliases"].contains(name) && f.doc["urls"].contains(name)) {  // its URL goes with it
    forget_function_urls(f, name);
    f.doc["urls"].erase(name);
  }
  f.doc["aliases"].erase(name);
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::list_aliases(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string version = text_of(in, "FunctionVersion");
  json list = json::array();
  for (auto& [n, a] : f.doc["aliases"].items())
    if (version.empty() || a.value("FunctionVersion", "") == version) list.push_back(a);
  return Result::ok({{"Aliases", std::move(list)}});
}

// ---- resource policy ----

Result LambdaService::add_permission(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  std::string sid = text_of(in, "StatementId"), action = text_of(in, "Action"), principal = text_of(in, "Principal");
  static const std::regex kSid("([a-zA-Z0-9-_.]+)");
  if (sid.empty() || !std::regex_match(sid, kSid))
    throw errors::constraint(sid, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)");
  if (action.empty()) throw errors::constraint("null", "action", "Member must not be null");
  if (principal.empty()) throw errors::constraint("null", "principal", "Member must not be null");
  json policy = f.doc.value("policy", json{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", json::array()}});
  for (const auto& s : policy["Statement"])
    if (s.value("Sid", "") == sid)
      throw errors::conflict("The statement id (" + sid + ") provided already exists. Please choose a statement id that is unique.");
  json st = {{"Sid", sid}, {"Effect", "Allow"}, {"Action", action},
             {"Resource", ref.qualifier.empty() ? f.arn() : f.arn() + ":" + ref.qualifier}};
  if (principal.find('.') != std::string::npos)
    st["Principal"] = {{"Service", principal}};
  else
    st["Principal"] = {{"AWS", principal == "*" ? principal : "arn:aws:iam::" + principal + ":root"}};
  std::string url_auth = text_of(in, "FunctionUrlAuthType");
  if (!url_auth.empty() && url_auth != "NONE" && url_auth != "AWS_IAM")
    throw errors::constraint(url_auth, "functionUrlAuthType", "Member must satisfy enum value set: [NONE, AWS_IAM]");
  json cond = json::object();
  if (auto a = text_of(in, "SourceArn"); !a.empty()) cond["ArnLike"] = {{"AWS:SourceArn", a}};
  if (auto a = text_of(in, "SourceAccount"); !a.empty()) cond["StringEquals"] = {{"AWS:SourceAccount", a}};
  if (!url_auth.empty()) cond["StringEquals"]["lambda:FunctionUrlAuthType"] = url_auth;
  if (!cond.empty()) st["Condition"] = cond;
  policy["Statement"].push_back(st);
  f.doc["policy"] = policy;
  f.doc["policy_revision"] = ids::uuid4();
  save(f);
  return Result::ok({{"Statement", st.dump()}});
}

Result LambdaService::remove_permission(json& in) {
  Function& f = require_function(parse_function_name(in));
  std::string sid = text_of(in, "StatementId");
  json policy = f.doc.value("policy", json::object());
  json kept = json::array();
  bool found = false;
  for (const auto& s : policy.value("Statement", json::array())) {
    if (s.value("Sid", "") == sid) found = true;
    else kept.push_back(s);
  }
  if (!found) throw errors::not_found("Statement " + sid + " is not found in resource policy.");
  policy["Statement"] = kept;
  if (kept.empty()) f.doc.erase("policy");
  else f.doc["policy"] = policy;
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::get_policy(json& in) {
  Function& f = require_function(parse_function_name(in));
  if (!f.doc.contains("policy")) throw errors::not_found("The resource you requested does not exist.");
  return Result::ok({{"Policy", f.doc["policy"].dump()}, {"RevisionId", f.doc.value("policy_revision", "")}});
}

// ---- concurrency ----

Result LambdaService::put_function_concurrency(json& in) {
  Function& f = require_function(parse_function_name(in));
  check_range(in, "ReservedConcurrentExecutions", "reservedConcurrentExecutions", 0, 1000);
  int64_t n = in.value("ReservedConcurrentExecutions", int64_t{0});
  int64_t others = 0;
  for (auto& [k, g] : functions_)
    if (g.get() != &f && g->account == f.account && g->region == f.region && g->doc.contains("concurrency"))
      others += g->doc["concurrency"].get<int64_t>();
  if (1000 - others - n < 100)
    throw errors::invalid("Specified ReservedConcurrentExecutions for function decreases account's "
                          "UnreservedConcurrentExecution below its minimum value of [100].");
  f.doc["concurrency"] = n;
  save(f);
  return Result::ok({{"ReservedConcurrentExecutions", n}});
}

Result LambdaService::get_function_concurrency(json& in) {
  Function& f = require_function(parse_function_name(in));
  if (!f.doc.contains("concurrency")) return Result::ok();
  return Result::ok({{"ReservedConcurrentExecutions", f.doc["concurrency"]}});
}

Result LambdaService::delete_function_concurrency(json& in) {
  Function& f = require_function(parse_function_name(in));
  f.doc.erase("concurrency");
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

// ---- event-invoke configurations (asynchronous invocation) ----

static void check_destination(const json& dc, const char* which) {
  auto it = dc.find(which);
  if (it == dc.end() || !it->is_object()) return;
  std::string arn = it->value("Destination", "");
  auto a = parse_arn(arn);
  if (!a || (a->service != "sqs" && a->service != "sns" && a->service != "lambda" && a->service != "events"))
    throw errors::invalid("The destination ARN " + arn + " is invalid.");
}

Result LambdaService::put_function_event_invoke_config(json& in) { return write_event_invoke_config(in, false); }

// Update changes only the members it is given (Put replaces the whole configuration).
Result LambdaService::update_function_event_invoke_config(json& in) { return write_event_invoke_config(in, true); }

Result LambdaService::write_event_invoke_config(json& in, bool merge) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  check_range(in, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2);
  check_range(in, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds", 60, 21600);
  std::string q = ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
  json old = merge ? f.doc["event_invoke"].value(q, json::object()) : json::object();
  json dc = in.contains("DestinationConfig") ? in.value("DestinationConfig", json::object())
                                              : old.value("DestinationConfig", json::object());
  check_destination(dc, "OnSuccess");
  check_destination(dc, "OnFailure");
  json c = {{"FunctionArn", ref.qualifier.empty() ? f.arn() + ":$LATEST" : f.arn() + ":" + q},
            {"LastModified", static_cast<double>(now_ms()) / 1000.0},
            {"MaximumRetryAttempts", in.value("MaximumRetryAttempts", old.value("MaximumRetryAttempts", 2))},
            {"MaximumEventAgeInSeconds", in.value("MaximumEventAgeInSeconds", old.value("MaximumEventAgeInSeconds", 21600))},
            {"DestinationConfig", dc}};
  f.doc["event_invoke"][q] = c;
  save(f);
  return Result::ok(c);
}

Result LambdaService::list_function_event_invoke_configs(json& in) {
  Function& f = require_function(parse_function_name(in));
  check_range(in, "MaxItems", "maxItems", 1, 50);
  size_t max = static_cast<size_t>(in.value("MaxItems", 50));
  std::string marker = in.value("Marker", "");
  json page = json::array();
  std::string next;
  for (auto it = f.doc["event_invoke"].begin(); it != f.doc["event_invoke"].end(); ++it) {
    if (!marker.empty() && it.key() < marker) continue;
    if (page.size() == max) {
      next = it.key();
      break;
    }
    page.push_back(*it);
  }
  json out = {{"FunctionEventInvokeConfigs", std::move(page)}};
  if (!next.empty()) out["NextMarker"] = next;
  return Result::ok(out);
}

Result LambdaService::get_function_event_invoke_config(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  std::string q = ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
  auto it = f.doc["event_invoke"].find(q);
  if (it == f.doc["event_invoke"].end())
    throw errors::not_found("The function " + f.arn() + ":" + q + " doesn't have an EventInvokeConfig");
  return Result::ok(*it);
}

Result LambdaService::delete_function_event_invoke_config(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  std::string q = ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
  if (!f.doc["event_invoke"].contains(q))
    throw errors::not_found("The function " + f.arn() + ":" + q + " doesn't have an EventInvokeConfig");
  f.doc["event_invoke"].erase(q);
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

// ---- tags and account settings ----

static FunctionRef ref_of_resource(const json& in) {
  auto a = parse_arn(in.value("Resource", ""));
  if (!a || a->service != "lambda" || a->resource.rfind("function:", 0) != 0)
    throw errors::invalid("Invalid resource ARN: " + in.value("Resource", ""));
  std::string name = a->resource.substr(9);
  return {a->account, a->region, name.substr(0, name.find(':')), ""};
}

Result LambdaService::tag_resource(json& in) {
  Function& f = require_function(ref_of_resource(in));
  json tags = f.doc["tags"];
  tags.update(in.value("Tags", json::object()));
  if (tags.size() > 50) throw errors::invalid("Number of tags exceeds resource tag limit.");
  f.doc["tags"] = tags;
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::untag_resource(json& in) {
  Function& f = require_function(ref_of_resource(in));
  for (const auto& k : in.value("TagKeys", json::array()))
    if (k.is_string()) f.doc["tags"].erase(k.get<std::string>());
  save(f);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::list_tags(json& in) {
  Function& f = require_function(ref_of_resource(in));
  return Result::ok({{"Tags", f.doc["tags"]}});
}

Result LambdaService::get_account_settings(json& in) {
  int64_t reserved = 0, count = 0, size = 0;
  std::string prefix = account() + "/" + region() + "/";
  for (auto& [k, f] : functions_) {
    if (k.rfind(prefix, 0) != 0) continue;
    ++count;
    size += f->doc["code"].value("size", int64_t{0});
    if (f->doc.contains("concurrency")) reserved += f->doc["concurrency"].get<int64_t>();
  }
  return Result::ok({{"AccountLimit",
                      {{"TotalCodeSize", 80530636800LL}, {"CodeSizeUnzipped", 262144000}, {"CodeSizeZipped", 52428800},
                       {"ConcurrentExecutions", 1000}, {"UnreservedConcurrentExecutions", 1000 - reserved}}},
                     {"AccountUsage", {{"TotalCodeSize", size}, {"FunctionCount", count}}}});
}

}  // namespace awan::lambda
