// S3 ACLs (acl.hpp): canned ACLs, grant headers, AccessControlPolicy documents, public checks.
#include "s3/acl.hpp"

#include <algorithm>

#include "core/document.hpp"
#include "s3/errors.hpp"

namespace awan::s3::acl {

namespace {

// The canonical user Amazon EC2 reads AMI bundles as (aws-exec-read).
constexpr const char* kExecReadId = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";

json user(const json& who) {
  return {{"Type", "CanonicalUser"}, {"ID", who.value("ID", "")}, {"DisplayName", who.value("DisplayName", "")}};
}
json group(std::string_view uri) { return {{"Type", "Group"}, {"URI", std::string(uri)}}; }
json grant(json grantee, const char* permission) { return {{"Grantee", std::move(grantee)}, {"Permission", permission}}; }

const char* const kPermissions[] = {"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"};

bool known_permission(const std::string& p) {
  return std::any_of(std::begin(kPermissions), std::end(kPermissions), [&](const char* k) { return p == k; });
}

AwsError malformed_acl() {
  return {"MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema",
          400};
}

bool known_group(const std::string& uri) {
  return uri == kAllUsers || uri == kAuthenticatedUsers || uri == kLogDelivery;
}

}  // namespace

json owner_grants(const json& owner) { return json::array({grant(user(owner), "FULL_CONTROL")}); }

std::optional<json> canned(std::string_view name, const json& owner, const json& bucket_owner) {
  json g = owner_grants(owner);
  bool other_owner = bucket_owner.value("ID", "") != owner.value("ID", "");
  if (name == "private") return g;
  if (name == "public-read") {
    g.push_back(grant(group(kAllUsers), "READ"));
  } else if (name == "public-read-write") {
    g.push_back(grant(group(kAllUsers), "READ"));
    g.push_back(grant(group(kAllUsers), "WRITE"));
  } else if (name == "authenticated-read") {
    g.push_back(grant(group(kAuthenticatedUsers), "READ"));
  } else if (name == "aws-exec-read") {
    g.push_back(grant({{"Type", "CanonicalUser"}, {"ID", kExecReadId}, {"DisplayName", "za-team"}}, "READ"));
  } else if (name == "bucket-owner-read") {
    if (other_owner) g.push_back(grant(user(bucket_owner), "READ"));
  } else if (name == "bucket-owner-full-control") {
    if (other_owner) g.push_back(grant(user(bucket_owner), "FULL_CONTROL"));
  } else if (name == "log-delivery-write") {
    g.push_back(grant(group(kLogDelivery), "WRITE"));
    g.push_back(grant(group(kLogDelivery), "READ_ACP"));
  } else {
    return std::nullopt;
  }
  return g;
}

std::optional<std::string> parse_grantees(std::string_view text, json& grantees) {
  grantees = json::array();
  size_t i = 0, n = text.size();
  auto skip_space = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  while (true) {
    skip_space();
    size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) return "expected key=value in a grant header";
    std::string key(text.substr(i, eq - i));
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    i = eq + 1;
    skip_space();
    std::string value;
    if (i < n && text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return "unterminated quoted value in a grant header";
      value = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      size_t comma = text.find(',', i);
      value = std::string(text.substr(i, comma == std::string_view::npos ? n - i : comma - i));
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      i = comma == std::string_view::npos ? n : comma;
    }
    if (value.empty()) return "empty grantee in a grant header";
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "id") {
      grantees.push_back({{"Type", "CanonicalUser"}, {"ID", value}});
    } else if (lower == "uri") {
      if (!known_group(value)) return "Invalid group uri";
      grantees.push_back(group(value));
    } else if (lower == "emailaddress") {
      grantees.push_back({{"Type", "AmazonCustomerByEmail"}, {"EmailAddress", value}});
    } else {
      return "Argument format not recognized";
    }
    skip_space();
    if (i >= n) return std::nullopt;
    if (text[i] != ',') return "Argument format not recognized";
    ++i;
  }
}

std::optional<json> requested(const json& in, const json& owner, const json& bucket_owner, const char* policy_member) {
  static const std::pair<const char*, const char*> kHeaders[] = {{"GrantFullControl", "FULL_CONTROL"},
                                                                 {"GrantRead", "READ"},
                                                                 {"GrantReadACP", "READ_ACP"},
                                                                 {"GrantWrite", "WRITE"},
                                                                 {"GrantWriteACP", "WRITE_ACP"}};
  static const std::pair<const char*, const char*> kWire[] = {{"GrantFullControl", "x-amz-grant-full-control"},
                                                              {"GrantRead", "x-amz-grant-read"},
                                                              {"GrantReadACP", "x-amz-grant-read-acp"},
                                                              {"GrantWrite", "x-amz-grant-write"},
                                                              {"GrantWriteACP", "x-amz-grant-write-acp"}};
  json grants = json::array();
  bool any_header = false;
  for (size_t k = 0; k < std::size(kHeaders); ++k) {
    auto it = in.find(kHeaders[k].first);
    if (it == in.end() || !it->is_string()) continue;
    any_header = true;
    json grantees;
    if (auto why = parse_grantees(it->get<std::string>(), grantees))
      throw errors::invalid_argument(*why, kWire[k].second, it->get<std::string>());
    for (auto& g : grantees) grants.push_back(grant(std::move(g), kHeaders[k].second));
  }
  auto acl = in.find("ACL");
  bool has_canned = acl != in.end() && acl->is_string();
  if (has_canned && any_header)
    throw errors::invalid_request("Specifying both Canned ACLs and Header Grants is not allowed");
  if (has_canned) {
    auto g = canned(acl->get<std::string>(), owner, bucket_owner);
    if (!g) throw errors::invalid_argument("", "x-amz-acl", acl->get<std::string>());
    return g;
  }
  if (any_header) return grants;
  if (!policy_member) return std::nullopt;
  auto pol = in.find(policy_member);
  if (pol == in.end() || !pol->is_object()) return std::nullopt;
  json out = json::array();
  for (const auto& g : pol->value("Grants", json::array())) {
    if (!g.is_object() || !g.contains("Grantee") || !g["Grantee"].is_object()) throw malformed_acl();
    std::string permission = g.value("Permission", "");
    if (!known_permission(permission)) throw malformed_acl();
    const json& ge = g["Grantee"];
    std::string type = ge.value("Type", "");
    json clean;
    if (type == "CanonicalUser" && ge.contains("ID")) {
      clean = {{"Type", type}, {"ID", ge.value("ID", "")}};
      if (ge.value("ID", "") == owner.value("ID", "")) clean["DisplayName"] = owner.value("DisplayName", "");
    } else if (type == "Group" && known_group(ge.value("URI", ""))) {
      clean = group(ge.value("URI", ""));
    } else if (type == "AmazonCustomerByEmail" && ge.contains("EmailAddress")) {
      clean = {{"Type", type}, {"EmailAddress", ge.value("EmailAddress", "")}};
    } else {
      throw malformed_acl();
    }
    out.push_back({{"Grantee", std::move(clean)}, {"Permission", permission}});
  }
  return out;
}

bool owner_full_control_only(const json& grants, const json& owner) {
  if (!grants.is_array()) return false;
  for (const auto& g : grants) {
    const json& ge = g.value("Grantee", json::object());
    if (ge.value("Type", "") != "CanonicalUser" || ge.value("ID", "") != owner.value("ID", "") ||
        g.value("Permission", "") != "FULL_CONTROL")
      return false;
  }
  return true;
}

bool is_public(const json& grants) {
  if (!grants.is_array()) return false;
  for (const auto& g : grants) {
    std::string uri = g.value("Grantee", json::object()).value("URI", "");
    if (uri == kAllUsers || uri == kAuthenticatedUsers) return true;
  }
  return false;
}

bool policy_is_public(const std::string& policy_text) {
  json doc = json::parse(policy_text, nullptr, false);
  if (!doc.is_object()) return false;
  json statements = doc.value("Statement", json::array());
  if (statements.is_object()) statements = json::array({statements});
  if (!statements.is_array()) return false;
  // Condition keys that pin a statement to known callers (AWS's list of "fixed values").
  static const char* const kPinning[] = {"aws:sourceip",       "aws:sourcearn",      "aws:sourcevpc",
                                         "aws:sourcevpce",     "aws:sourceowner",    "aws:sourceaccount",
                                         "aws:principalorgid", "aws:principalaccount", "aws:principalarn",
                                         "aws:userid",         "aws:principalorgpaths", "s3:dataaccesspointaccount"};
  for (const auto& s : statements) {
    if (text_of(s, "Effect") != "Allow") continue;  // the caller's document: members of any type
    const json p = s.value("Principal", json());
    bool everyone = (p.is_string() && p.get<std::string>() == "*") ||
                    (p.is_object() && p.contains("AWS") &&
                     ((p["AWS"].is_string() && p["AWS"].get<std::string>() == "*") ||
                      (p["AWS"].is_array() && std::any_of(p["AWS"].begin(), p["AWS"].end(), [](const json& a) {
                         return a.is_string() && a.get<std::string>() == "*";
                       }))));
    if (!everyone) continue;
    bool pinned = false;
    if (auto c = s.find("Condition"); c != s.end() && c->is_object()) {
      for (const auto& [op, keys] : c->items()) {
        if (!keys.is_object()) continue;
        for (const auto& [key, value] : keys.items()) {
          std::string k = key;
          std::transform(k.begin(), k.end(), k.begin(), [](unsigned char ch) { return std::tolower(ch); });
          bool wildcard = value.is_string() && value.get<std::string>().find('*') != std::string::npos;
          if (!wildcard && std::any_of(std::begin(kPinning), std::end(kPinning), [&](const char* pk) { return k == pk; }))
            pinned = true;
        }
      }
    }
    if (!pinned) return true;
  }
  return false;
}

}  // namespace awan::s3::acl
