// The authentication stage (authenticate.hpp): scheme checks and SigV4 verification per
// service dialect. Neighbours: sigv4.cpp (parsing, verifying), router.cpp (the stage before).
#include "gateway/authenticate.hpp"

namespace awan::gateway {

sigv4::Dialect dialect_for(const Route& route) {
  if (route.service == "s3") return sigv4::Dialect::S3;
  if (route.protocol == "query" || route.service == "iam" || route.service == "sts" || route.service == "sns")
    return sigv4::Dialect::Query;
  return sigv4::Dialect::Json;
}

Authentication authenticate(const http::Request& req, const Route& route, const CredentialLookup& lookup,
                            const Clock& clock) {
  Authentication out;
  const sigv4::Dialect dialect = dialect_for(route);
  sigv4::Auth auth = sigv4::parse(req);
  if (auto err = sigv4::parse_error(auth, dialect)) {
    out.error = std::move(err);
    return out;
  }
  if (auth.kind == sigv4::AuthKind::None) {
    // S3 serves anonymous requests only where a bucket policy or ACL makes them public.
    // TODO(S3): let public buckets (policy / ACL) through here.
    out.error = AwsError{"AccessDenied", "Access Denied", 403};
    return out;
  }
  if (auth.kind != sigv4::AuthKind::Header && auth.kind != sigv4::AuthKind::Presigned) {
    // parse_error refuses every other kind; never let one through unverified.
    out.error = AwsError{"AccessDenied", "Access Denied", 403};
    return out;
  }
  std::optional<sigv4::Credentials> creds = lookup ? lookup(auth.access_key) : std::nullopt;
  sigv4::VerifyOptions vo;
  vo.dialect = dialect;
  vo.clock = &clock;
  if (auto err = sigv4::verify(req, auth, creds, vo)) {
    out.error = std::move(err);
    return out;
  }
  out.access_key = std::string(auth.access_key);
  if (creds && req.headers.get("x-amz-content-sha256").find("STREAMING-") != std::string_view::npos)
    out.chunk_signing = sigv4::chunk_signing_context(auth, creds->secret_access_key);
  return out;
}

std::string claimed_payload_sha256(const http::Request& req) {
  std::string_view v = req.headers.get("x-amz-content-sha256");
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.size() != 64) return "";
  std::string out(v);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return out;
}

bool anonymous_allowed(const http::Request& req, const Route& route) {
  // API Gateway and function URL invocations: the method's (the URL's) own authorization
  // applies (NONE, API keys, authorizers); a signed one (AWS_IAM) is verified like any request.
  if (route.kind == RouteKind::execute_api || route.kind == RouteKind::function_url)
    return !req.headers.find("authorization") && raw_param(req.query, "X-Amz-Signature").empty();
  if (route.service != "sns" || req.method != "GET" || req.headers.find("authorization")) return false;
  if (!raw_param(req.query, "X-Amz-Credential").empty() || !raw_param(req.query, "X-Amz-Signature").empty())
    return false;
  auto action = raw_param(req.query, "Action");
  return action == "ConfirmSubscription" || action == "Unsubscribe";
}

}  // namespace awan::gateway
