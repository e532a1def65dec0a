#include "iam/policy_document.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

namespace awan::iam {

namespace {

AwsError malformed(std::string message) { return {"MalformedPolicyDocument", std::move(message), 400}; }

const char* kSyntax = "Syntax errors in policy.";

bool is_string_or_string_list(const nlohmann::json& v) {
  if (v.is_string()) return true;
  if (!v.is_array() || v.empty()) return false;
  for (const auto& e : v)
    if (!e.is_string()) return false;
  return true;
}

std::optional<AwsError> check_actions(const nlohmann::json& v) {
  if (!is_string_or_string_list(v)) return malformed(kSyntax);
  auto check_one = [](const std::string& a) -> std::optional<AwsError> {
    if (a == "*") return std::nullopt;
    auto colon = a.find(':');
    if (colon == std::string::npos || colon == 0)
      return malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    if (a.find(':', colon + 1) != std::string::npos) return malformed("Actions/Condition can contain only one colon.");
    return std::nullopt;
  };
  if (v.is_string()) return check_one(v.get<std::string>());
  for (const auto& e : v)
    if (auto err = check_one(e.get<std::string>())) return err;
  return std::nullopt;
}

std::optional<AwsError> check_principal(const nlohmann::json& v) {
  if (v.is_string()) {
    if (v.get<std::string>() != "*") return malformed("Invalid principal in policy: \"" + v.get<std::string>() + "\"");
    return std::nullopt;
  }
  if (!v.is_object() || v.empty()) return malformed(kSyntax);
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& type = it.key();
    if (type != "AWS" && type != "Service" && type != "Federated" && type != "CanonicalUser")
      return malformed("Invalid principal in policy: \"" + type + "\"");
    if (!is_string_or_string_list(it.value())) return malformed(kSyntax);
  }
  return std::nullopt;
}

std::optional<AwsError> check_statement(const nlohmann::json& st, PolicyKind kind) {
  if (!st.is_object()) return malformed(kSyntax);
  static const char* allowed[] = {"Sid",      "Effect",    "Principal",   "NotPrincipal", "Action",
                                  "NotAction", "Resource", "NotResource", "Condition"};
  for (auto it = st.begin(); it != st.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed)
      if (it.key() == a) ok = true;
    if (!ok) return malformed(kSyntax);
  }
  if (st.contains("Sid") && !st["Sid"].is_string()) return malformed(kSyntax);
  auto effect = st.find("Effect");
  if (effect == st.end() || !effect->is_string() ||
      (effect->get<std::string>() != "Allow" && effect->get<std::string>() != "Deny"))
    return malformed(kSyntax);
  if (st.contains("Action") && st.contains("NotAction")) return malformed(kSyntax);
  if (st.contains("Resource") && st.contains("NotResource")) return malformed(kSyntax);
  if (st.contains("Principal") && st.contains("NotPrincipal")) return malformed(kSyntax);
  if (st.contains("Condition") && !st["Condition"].is_object()) return malformed(kSyntax);

  bool has_principal = st.contains("Principal") || st.contains("NotPrincipal");
  bool has_resource = st.contains("Resource") || st.contains("NotResource");
  bool has_action = st.contains("Action") || st.contains("NotAction");

  if (kind == PolicyKind::Identity) {
    if (has_principal) return malformed("Policy document should not specify a principal.");
    if (!has_action) return malformed("Policy statement must contain actions.");
    if (!has_resource) return malformed("Policy statement must contain resources.");
  } else {
    if (st.contains("Resource")) return malformed("Has prohibited field Resource");
    if (st.contains("NotResource")) return malformed("Has prohibited field NotResource");
    if (!has_action) return malformed("Policy statement must contain actions.");
    if (!has_principal)
      return malformed(
          "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a "
          "statement with no principals!");
  }
  if (auto v = st.find("Action"); v != st.end()) {
    if (auto err = check_actions(*v)) return err;
    if (kind == PolicyKind::Trust) {
      auto sts_action = [](const std::string& a) {
        if (a == "*") return true;
        if (a.size() < 4) return false;
        std::string prefix = a.substr(0, 4);
        for (auto& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return prefix == "sts:";
      };
      bool ok = v->is_string() ? sts_action(v->get<std::string>()) : true;
      if (v->is_array())
        for (const auto& e : *v) ok = ok && sts_action(e.get<std::string>());
      if (!ok) return malformed("AssumeRole policy may only specify STS AssumeRole actions.");
    }
  }
  if (auto v = st.find("NotAction"); v != st.end())
    if (auto err = check_actions(*v)) return err;
  for (const char* r : {"Resource", "NotResource"})
    if (auto v = st.find(r); v != st.end() && !is_string_or_string_list(*v)) return malformed(kSyntax);
  for (const char* p : {"Principal", "NotPrincipal"})
    if (auto v = st.find(p); v != st.end())
      if (auto err = check_principal(*v)) return err;
  return std::nullopt;
}

}  // namespace

std::optional<AwsError> check_policy_document(std::string_view document, PolicyKind kind) {
  nlohmann::json doc = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return malformed("This policy contains invalid Json");
  if (!doc.is_object()) return malformed(kSyntax);
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "Version" && it.key() != "Id" && it.key() != "Statement") return malformed(kSyntax);
  if (auto v = doc.find("Version"); v != doc.end()) {
    if (!v->is_string() || (v->get<std::string>() != "2012-10-17" && v->get<std::string>() != "2008-10-17"))
      return malformed("The policy failed legacy parsing");
  }
  if (auto v = doc.find("Id"); v != doc.end() && !v->is_string()) return malformed(kSyntax);
  auto st = doc.find("Statement");
  if (st == doc.end()) return malformed(kSyntax);
  if (st->is_object()) return check_statement(*st, kind);
  if (!st->is_array() || st->empty()) return malformed(kSyntax);
  for (const auto& s : *st)
    if (auto err = check_statement(s, kind)) return err;
  return std::nullopt;
}

size_t policy_size(std::string_view document) {
  size_t n = 0;
  for (char c : document)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') ++n;
  return n;
}

}  // namespace awan::iam
