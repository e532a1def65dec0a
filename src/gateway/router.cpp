#include "gateway/router.hpp"

#include <array>
#include <utility>

namespace awan::gateway {

namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_form(const http::Request& req) {
  auto ct = req.headers.get("content-type");
  return ct.find("application/x-www-form-urlencoded") != std::string_view::npos;
}

// Region from hosts such as "sqs.eu-west-1.amazonaws.com" or "dynamodb.eu-west-1.localhost".
std::string region_from_host(std::string_view host) {
  auto colon = host.find(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  size_t start = 0;
  while (start < host.size()) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    // A region label looks like "us-east-1", "eu-central-2", "ap-southeast-4"...
    auto d1 = label.find('-');
    if (d1 != std::string_view::npos && d1 >= 2 && label.size() > d1 + 3 && label.back() >= '0' &&
        label.back() <= '9' && label.find('-', d1 + 1) != std::string_view::npos) {
      return std::string(label);
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

// The service named by the first label of the Host ("sqs.us-east-1.localhost"), or "".
std::string_view service_from_host(std::string_view host) {
  // Virtual-hosted S3 ("bucket.s3.localhost", "bucket.s3.us-east-1.amazonaws.com"): a bucket
  // may be named like a service, so the s3 label decides first.
  if (host.find(".s3.") != std::string_view::npos || host.find(".s3-") != std::string_view::npos) return {};
  auto dot = host.find('.');
  if (dot == std::string_view::npos) return {};
  auto first = host.substr(0, dot);
  auto svc = service_for_signing_name(first);
  if (!svc.empty() && svc != "s3") return svc;
  return {};
}

bool is_lambda_path(std::string_view path) {
  static constexpr std::array<std::string_view, 6> prefixes = {
      "/2015-03-31/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/", "/2018-10-31/", "/2019-09-25/"};
  for (auto p : prefixes)
    if (starts_with(path, p)) return true;
  return starts_with(path, "/2020-04-22/") || starts_with(path, "/2020-06-30/") || starts_with(path, "/2021-10-31/");
}

// A valid API id: API Gateway's are 10 lower-case letters and digits; any id-like label is taken
// (the service says whether it owns it).
bool is_api_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
      return false;
  return true;
}

bool is_apigateway_path(std::string_view path) {
  static constexpr std::array<std::string_view, 9> prefixes = {
      "/restapis", "/apikeys", "/usageplans", "/domainnames", "/account", "/clientcertificates", "/vpclinks",
      "/tags/arn:aws:apigateway", "/sdktypes"};
  for (auto p : prefixes)
    if (starts_with(path, p)) return true;
  return false;
}
}  // namespace

std::string_view service_for_target_prefix(std::string_view prefix) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> table = {{
      {"DynamoDB_20120810", "dynamodb"},
      {"AWSStepFunctions", "stepfunctions"},
      {"DynamoDBStreams_20120810", "dynamodbstreams"},
      {"AmazonSQS", "sqs"},
      {"Logs_20140328", "logs"},
      {"AWSSecurityTokenServiceV20110615", "sts"},
      {"AmazonSNS", "sns"},
      {"AWSEvents", "events"},
      {"secretsmanager", "secretsmanager"},
      {"AmazonSSM", "ssm"},
  }};
  for (auto& [p, s] : table)
    if (p == prefix) return s;
  return {};
}

std::string_view service_for_signing_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> table = {{
      {"sts", "sts"},
      {"iam", "iam"},
      {"s3", "s3"},
      {"dynamodb", "dynamodb"},
      {"sqs", "sqs"},
      {"sns", "sns"},
      {"lambda", "lambda"},
      {"apigateway", "apigateway"},
      {"execute-api", "execute-api"},
      {"logs", "logs"},
      {"events", "events"},
      {"streams.dynamodb", "dynamodbstreams"},
      {"states", "stepfunctions"},
  }};
  for (auto& [p, s] : table)
    if (p == name) return s;
  return {};
}

std::string_view service_for_query_version(std::string_view version) {
  if (version == "2011-06-15") return "sts";
  if (version == "2010-05-08") return "iam";
  if (version == "2010-03-31") return "sns";
  if (version == "2012-11-05") return "sqs";
  return {};
}

bool parse_credential_scope(std::string_view cred, CredentialScope& out) {
  // AKID/YYYYMMDD/region/service/aws4_request
  std::string_view parts[5];
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t slash = cred.find('/', start);
    if (i < 4 && slash == std::string_view::npos) return false;
    parts[i] = cred.substr(start, i < 4 ? slash - start : std::string_view::npos);
    start = slash + 1;
  }
  if (parts[0].empty() || parts[1].size() != 8 || parts[4] != "aws4_request") return false;
  out = {parts[0], parts[1], parts[2], parts[3]};
  return true;
}

std::string_view header_credential(std::string_view auth) {
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256";
  constexpr std::string_view kCredential = "Credential=";
  while (!auth.empty() && (auth.front() == ' ' || auth.front() == '\t')) auth.remove_prefix(1);
  if (!starts_with(auth, kScheme)) return {};
  auth.remove_prefix(kScheme.size());
  size_t spaces = 0;
  while (spaces < auth.size() && (auth[spaces] == ' ' || auth[spaces] == '\t')) ++spaces;
  if (spaces == 0) return {};
  auth.remove_prefix(spaces);
  if (!starts_with(auth, kCredential)) return {};
  auth.remove_prefix(kCredential.size());
  return auth.substr(0, auth.find_first_of(", \t"));
}

std::string_view sigv2_access_key(std::string_view auth) {
  while (!auth.empty() && (auth.front() == ' ' || auth.front() == '\t')) auth.remove_prefix(1);
  if (!starts_with(auth, "AWS ")) return {};
  auth.remove_prefix(4);
  while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
  auto key = auth.substr(0, auth.find_first_of(": \t"));
  // The key id ends at ':'; a header without one names no key.
  if (key.size() == auth.size() || auth[key.size()] != ':') return {};
  return key;
}

std::string_view raw_param(std::string_view query, std::string_view name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view pair = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (pair == name) return {};
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return {};
}

bool execute_api_target(std::string_view path, std::string_view host, std::string& api_id, std::string& invoke_path) {
  constexpr std::string_view kPrefix = "/_aws/execute-api/";
  if (starts_with(path, kPrefix)) {
    auto rest = path.substr(kPrefix.size());
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    if (!is_api_id(id)) return false;
    api_id = std::string(id);
    invoke_path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    return true;
  }
  // "<id>.execute-api.<anything>"
  auto dot = host.find('.');
  if (dot != std::string_view::npos && host.substr(dot + 1, 12) == "execute-api." && is_api_id(host.substr(0, dot))) {
    api_id = std::string(host.substr(0, dot));
    invoke_path = path.empty() ? "/" : std::string(path);
    return true;
  }
  // "/restapis/<id>/<stage>/_user_request_/<path>"
  constexpr std::string_view kRest = "/restapis/";
  if (starts_with(path, kRest)) {
    auto rest = path.substr(kRest.size());
    auto s1 = rest.find('/');
    if (s1 == std::string_view::npos) return false;
    auto s2 = rest.find('/', s1 + 1);
    if (s2 == std::string_view::npos) return false;
    constexpr std::string_view kUser = "/_user_request_";
    auto after = rest.substr(s2);
    if (!starts_with(after, kUser) || (after.size() > kUser.size() && after[kUser.size()] != '/')) return false;
    auto id = rest.substr(0, s1);
    if (!is_api_id(id)) return false;
    api_id = std::string(id);
    std::string_view tail = after.substr(kUser.size());
    invoke_path = std::string(rest.substr(s1, s2 - s1)) + (tail.empty() ? std::string("/") : std::string(tail));
    return true;
  }
  return false;
}

bool function_url_target(std::string_view path, std::string_view host, std::string& url_id, std::string& invoke_path) {
  constexpr std::string_view kPrefix = "/_aws/lambda-url/";
  if (starts_with(path, kPrefix)) {
    auto rest = path.substr(kPrefix.size());
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    if (!is_api_id(id)) return false;
    url_id = std::string(id);
    invoke_path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    return true;
  }
  // "<id>.lambda-url.<anything>"
  auto dot = host.find('.');
  if (dot != std::string_view::npos && host.substr(dot + 1, 11) == "lambda-url." && is_api_id(host.substr(0, dot))) {
    url_id = std::string(host.substr(0, dot));
    invoke_path = path.empty() ? "/" : std::string(path);
    return true;
  }
  return false;
}

Route route(const http::Request& req) {
  Route r;
  std::string_view path = req.path;
  if (starts_with(path, "/_awan/") || starts_with(path, "/_localstack/") || starts_with(path, "/moto-api/")) {
    r.kind = RouteKind::internal;
    return r;
  }

  // Credential scope: Authorization header, else presigned query (percent-encoded '/'). Only
  // the positions AWS reads are looked at (see header_credential).
  CredentialScope scope;
  bool have_scope = false;
  std::string presigned;
  if (const std::string* auth = req.headers.find("authorization")) {
    if (auto cred = header_credential(*auth); !cred.empty()) {
      have_scope = parse_credential_scope(cred, scope);
    } else {
      r.access_key_id = std::string(sigv2_access_key(*auth));
    }
  } else if (auto c = raw_param(req.query, "X-Amz-Credential"); !c.empty()) {
    presigned.reserve(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i] == '%' && i + 2 < c.size() && c[i + 1] == '2' && (c[i + 2] == 'F' || c[i + 2] == 'f')) {
        presigned += '/';
        i += 2;
      } else {
        presigned += c[i];
      }
    }
    have_scope = parse_credential_scope(presigned, scope);
  } else if (auto k = raw_param(req.query, "AWSAccessKeyId"); !k.empty()) {
    r.access_key_id = std::string(k);
  }
  if (have_scope) {
    r.access_key_id = std::string(scope.access_key_id);
    r.region = std::string(scope.region);
  }
  auto host = req.headers.get("host");
  if (r.region.empty()) r.region = region_from_host(host);

  // Lambda function URL invocations.
  if (function_url_target(path, host, r.api_id, r.invoke_path)) {
    r.kind = RouteKind::function_url;
    r.service = "lambda-url";
    return r;
  }
  // API Gateway invocations, and the @connections management API beneath them.
  if (execute_api_target(path, host, r.api_id, r.invoke_path)) {
    auto at = r.invoke_path.find("/@connections");
    if (at != std::string::npos && (at == 0 || r.invoke_path.find('/', 1) == at)) {
      r.kind = RouteKind::service;
      r.service = "apigatewaymanagementapi";
      r.invoke_path = r.invoke_path.substr(at);
      return r;
    }
    r.kind = RouteKind::execute_api;
    r.service = "execute-api";
    return r;
  }

  r.kind = RouteKind::service;
  // 1. X-Amz-Target names the service of the JSON protocols.
  if (auto target = req.headers.get("x-amz-target"); !target.empty()) {
    auto dot = target.find('.');
    auto svc = service_for_target_prefix(target.substr(0, dot));
    if (!svc.empty()) {
      r.service = std::string(svc);
      r.protocol = "json";
      return r;
    }
  }
  // 2. awsQuery: Action in a form body or the query string; Version tells the service.
  bool form = req.method == "POST" && is_form(req);
  std::string_view params = form ? std::string_view(req.body) : std::string_view(req.query);
  auto action = raw_param(params, "Action");
  if (!action.empty()) {
    auto svc = service_for_query_version(raw_param(params, "Version"));
    if (svc.empty() && have_scope) svc = service_for_signing_name(scope.service);
    if (svc.empty()) svc = service_from_host(host);
    if (!svc.empty()) {
      r.service = std::string(svc);
      r.protocol = "query";
      return r;
    }
  }
  // 3. The signing name in the credential scope.
  if (have_scope) {
    auto svc = service_for_signing_name(scope.service);
    if (!svc.empty()) {
      r.service = std::string(svc);
      // Both API Gateway APIs sign as "apigateway"; v2 lives under /v2/.
      if (r.service == "apigateway" && starts_with(path, "/v2/")) r.service = "apigatewayv2";
      // "execute-api" signs invocations (handled above) and the management API (/@connections).
      if (r.service == "execute-api" && starts_with(path, "/@connections")) r.service = "apigatewaymanagementapi";
      if (r.service == "sqs") r.protocol = form ? "query" : "json";
      if (r.service == "sts" || r.service == "iam" || r.service == "sns") r.protocol = "query";
      return r;
    }
  }
  // 4. Path and Host for unsigned requests.
  if (is_lambda_path(path)) {
    r.service = "lambda";
    return r;
  }
  if (is_apigateway_path(path)) {
    r.service = "apigateway";
    return r;
  }
  if (starts_with(path, "/v2/apis") || starts_with(path, "/v2/domainnames") || starts_with(path, "/v2/vpclinks") ||
      starts_with(path, "/v2/tags/")) {
    r.service = "apigatewayv2";
    return r;
  }
  if (auto svc = service_from_host(host); !svc.empty()) {
    r.service = std::string(svc);
    if (form) r.protocol = "query";
    return r;
  }
  if (form) {
    // A form post that names no service: answer as an awsQuery endpoint would.
    r.service = "";
    r.protocol = "query";
    return r;
  }
  r.service = "s3";
  return r;
}

}  // namespace awan::gateway
