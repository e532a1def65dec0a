// SNS's SMS and mobile-push operations: platform applications and endpoints, SMS attributes,
// opted-out numbers and the SMS sandbox. Awan records them (in the store's records) and answers
// as AWS does; nothing reaches a phone or a push service (publishes to them are in the log).
#include <set>

#include "core/arn.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "sns/errors.hpp"
#include "sns/service_impl.hpp"

namespace awan::sns {

namespace {
json object_of(const json& in, const char* name) {
  auto it = in.find(name);
  return it != in.end() && it->is_object() ? *it : json::object();
}
}  // namespace

Result SnsService::record_operation(json& in) {
  const std::string& op = operation_;
  std::string scope = account() + "/" + region();
  std::string arn_prefix = "arn:aws:sns:" + region() + ":" + account() + ":";

  if (op == "CreatePlatformApplication") {
    std::string name = text_of(in, "Name"), platform = text_of(in, "Platform");
    if (name.empty()) throw errors::missing("Name");
    if (platform.empty()) throw errors::missing("Platform");
    static const std::set<std::string> kPlatforms = {"ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS"};
    if (!kPlatforms.count(platform)) throw errors::invalid_parameter("Platform Reason: " + platform + " is not supported");
    std::string arn = arn_prefix + "app/" + platform + "/" + name;
    store_.put_record("app", arn, {{"Attributes", object_of(in, "Attributes")}});
    return Result::ok({{"PlatformApplicationArn", arn}});
  }
  if (op == "GetPlatformApplicationAttributes" || op == "SetPlatformApplicationAttributes" ||
      op == "DeletePlatformApplication" || op == "ListEndpointsByPlatformApplication" || op == "CreatePlatformEndpoint") {
    std::string arn = text_of(in, "PlatformApplicationArn");
    auto app = store_.record("app", arn);
    if (op == "DeletePlatformApplication") {
      for (auto& [key, doc] : store_.records("endpoint"))
        if (doc.value("Application", "") == arn) store_.delete_record("endpoint", key);
      store_.delete_record("app", arn);
      return Result::ok();
    }
    if (!app) throw errors::not_found("PlatformApplication does not exist");
    if (op == "GetPlatformApplicationAttributes") return Result::ok({{"Attributes", (*app)["Attributes"]}});
    if (op == "SetPlatformApplicationAttributes") {
      (*app)["Attributes"].update(object_of(in, "Attributes"));
      store_.put_record("app", arn, *app);
      return Result::ok();
    }
    if (op == "ListEndpointsByPlatformApplication") {
      json list = json::array();
      for (auto& [key, doc] : store_.records("endpoint"))
        if (doc.value("Application", "") == arn) list.push_back({{"EndpointArn", key}, {"Attributes", doc["Attributes"]}});
      return Result::ok({{"Endpoints", std::move(list)}});
    }
    std::string token = text_of(in, "Token");
    if (token.empty()) throw errors::missing("Token");
    for (auto& [key, doc] : store_.records("endpoint"))
      if (doc.value("Application", "") == arn && doc["Attributes"].value("Token", "") == token)
        return Result::ok({{"EndpointArn", key}});
    json attrs = object_of(in, "Attributes");
    attrs["Token"] = token;
    if (!attrs.contains("Enabled")) attrs["Enabled"] = "true";
    if (auto data = text_of(in, "CustomUserData"); !data.empty()) attrs["CustomUserData"] = data;
    std::string endpoint = "arn:aws:sns:" + region() + ":" + account() + ":endpoint/" + arn.substr(arn.find(":app/") + 5) +
                           "/" + ids::uuid4();
    store_.put_record("endpoint", endpoint, {{"Application", arn}, {"Attributes", attrs}});
    return Result::ok({{"EndpointArn", endpoint}});
  }
  if (op == "ListPlatformApplications") {
    json list = json::array();
    for (auto& [key, doc] : store_.records("app"))
      if (key.rfind(arn_prefix, 0) == 0) list.push_back({{"PlatformApplicationArn", key}, {"Attributes", doc["Attributes"]}});
    return Result::ok({{"PlatformApplications", std::move(list)}});
  }
  if (op == "GetEndpointAttributes" || op == "SetEndpointAttributes" || op == "DeleteEndpoint") {
    std::string arn = text_of(in, "EndpointArn");
    if (op == "DeleteEndpoint") {
      store_.delete_record("endpoint", arn);
      return Result::ok();
    }
    auto doc = store_.record("endpoint", arn);
    if (!doc) throw errors::not_found("Endpoint does not exist");
    if (op == "GetEndpointAttributes") return Result::ok({{"Attributes", (*doc)["Attributes"]}});
    (*doc)["Attributes"].update(object_of(in, "Attributes"));
    store_.put_record("endpoint", arn, *doc);
    return Result::ok();
  }
  // ---- SMS ----
  if (op == "SetSMSAttributes") {
    json attrs = store_.record("sms-attributes", scope).value_or(json::object());
    attrs.update(object_of(in, "attributes"));
    store_.put_record("sms-attributes", scope, attrs);
    return Result::ok();
  }
  if (op == "GetSMSAttributes") {
    json attrs = store_.record("sms-attributes", scope).value_or(json::object());
    json names = in.value("attributes", json::array());
    if (!names.is_array() || names.empty()) return Result::ok({{"attributes", attrs}});
    json out = json::object();
    for (const auto& n : names)
      if (n.is_string() && attrs.contains(n.get<std::string>())) out[n.get<std::string>()] = attrs[n.get<std::string>()];
    return Result::ok({{"attributes", out}});
  }
  if (op == "CheckIfPhoneNumberIsOptedOut") {
    std::string number = text_of(in, "phoneNumber");
    if (number.empty()) throw errors::missing("phoneNumber");
    return Result::ok({{"isOptedOut", store_.record("opted-out", scope + "/" + number).has_value()}});
  }
  if (op == "OptInPhoneNumber") {
    store_.delete_record("opted-out", scope + "/" + text_of(in, "phoneNumber"));
    return Result::ok();
  }
  if (op == "ListPhoneNumbersOptedOut") {
    json list = json::array();
    for (auto& [key, doc] : store_.records("opted-out"))
      if (key.rfind(scope + "/", 0) == 0) list.push_back(key.substr(scope.size() + 1));
    return Result::ok({{"phoneNumbers", std::move(list)}});
  }
  if (op == "GetSMSSandboxAccountStatus") return Result::ok({{"IsInSandbox", false}});
  if (op == "CreateSMSSandboxPhoneNumber" || op == "VerifySMSSandboxPhoneNumber" || op == "DeleteSMSSandboxPhoneNumber") {
    std::string number = text_of(in, "PhoneNumber");
    if (number.empty()) throw errors::missing("PhoneNumber");
    std::string key = scope + "/" + number;
    auto doc = store_.record("sandbox", key);
    if (op == "CreateSMSSandboxPhoneNumber") {
      store_.put_record("sandbox", key, {{"Status", "Pending"}});
      return Result::ok();
    }
    if (!doc) throw AwsError("ResourceNotFound", "The phone number does not exist in the sandbox.", 404);
    if (op == "DeleteSMSSandboxPhoneNumber") {
      store_.delete_record("sandbox", key);
      return Result::ok();
    }
    store_.put_record("sandbox", key, {{"Status", "Verified"}});
    return Result::ok();
  }
  if (op == "ListSMSSandboxPhoneNumbers") {
    json list = json::array();
    for (auto& [key, doc] : store_.records("sandbox"))
      if (key.rfind(scope + "/", 0) == 0)
        list.push_back({{"PhoneNumber", key.substr(scope.size() + 1)}, {"Status", doc.value("Status", "Pending")}});
    return Result::ok({{"PhoneNumbers", std::move(list)}});
  }
  if (op == "ListOriginationNumbers") return Result::ok({{"PhoneNumbers", json::array()}});
  return Result::fail(AwsError::invalid_action(op));
}

}  // namespace awan::sns
