// COGNITO_USER_POOLS authorizers at invocation (rest_invocation.hpp): the token is parsed as a
// JWT (jwt.hpp) and its claims checked as API Gateway checks them — iss names one of the
// authorizer's user pools, exp is in the future (the service clock), token_use is "id", or
// "access" with a scope the method asks for. Cognito is not emulated, so signatures cannot be
// verified. The claims reach the integration as requestContext.authorizer.claims.
#include <ctime>

#include "apigateway/jwt.hpp"
#include "apigateway/rest_invocation.hpp"

namespace awan::apigateway {

namespace {

// "arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>" → its tokens' issuer.
std::string issuer_of(const std::string& arn) {
  const std::string prefix = "arn:aws:cognito-idp:";
  auto pool = arn.find(":userpool/");
  if (arn.rfind(prefix, 0) != 0 || pool == std::string::npos) return "";
  std::string region = arn.substr(prefix.size(), arn.find(':', prefix.size()) - prefix.size());
  return "https://cognito-idp." + region + ".amazonaws.com/" + arn.substr(pool + 10);
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// exp and iat as Java's Date.toString() in UTC, as API Gateway writes them.
std::string java_date(double seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "";
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

// Every claim as a string: numbers in decimal, lists joined with ',', exp/iat as dates.
json claims_of(const json& claims) {
  json out = json::object();
  for (auto& [k, v] : claims.items()) {
    if ((k == "exp" || k == "iat") && v.is_number()) out[k] = java_date(v.get<double>());
    else if (v.is_string()) out[k] = v;
    else if (v.is_array()) {
      std::string joined;
      for (auto& x : v) {
        if (!joined.empty()) joined += ',';
        joined += x.is_string() ? x.get<std::string>() : x.dump();
      }
      out[k] = joined;
    } else {
      out[k] = v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  return out;
}

}  // namespace

std::optional<HttpAnswer> check_cognito(RestInvocation& inv) {
  auto unauthorized = [&inv](const std::string& text) {
    return std::optional<HttpAnswer>(gateway_response(inv, "UNAUTHORIZED", text));
  };
  std::string source = inv.authorizer.value("identitySource", "method.request.header.Authorization");
  std::string header = source.rfind("method.request.header.", 0) == 0 ? source.substr(22) : "Authorization";
  std::string token = header_of(inv.call, header);
  if (token.empty()) return unauthorized("Unauthorized");
  if (token.size() > 7 && text::ascii_lower(token.substr(0, 7)) == "bearer ") token = token.substr(7);
  auto jwt = parse_jwt(token);
  if (!jwt) return unauthorized("Unauthorized");
  const json& c = jwt->claims;
  bool issuer_ok = false;
  for (auto& arn : inv.authorizer.value("providerARNs", json::array()))
    issuer_ok = issuer_ok || (arn.is_string() && !issuer_of(arn).empty() && c.value("iss", "") == issuer_of(arn));
  if (!issuer_ok) return unauthorized("Unauthorized");
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(inv.ctx.clock->now().time_since_epoch()).count();
  if (!c.contains("exp") || !c["exp"].is_number()) return unauthorized("Unauthorized");
  if (c["exp"].get<double>() <= static_cast<double>(now)) return unauthorized("The incoming token has expired");
  std::string use = c.value("token_use", "");
  const json scopes = inv.method.value("authorizationScopes", json::array());
  if (scopes.is_array() && !scopes.empty()) {
    // With scopes, only an access token carrying one of them passes.
    if (use != "access") return unauthorized("Unauthorized");
    bool granted = false;
    for (const auto& have : words(c.value("scope", "")))
      for (auto& want : scopes) granted = granted || (want.is_string() && want == have);
    if (!granted) return unauthorized("Unauthorized");
  } else if (use != "id") {
    return unauthorized("Unauthorized");
  }
  inv.auth_context = {{"claims", claims_of(c)}};
  return std::nullopt;
}

}  // namespace awan::apigateway
