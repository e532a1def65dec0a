// Internal endpoints' policy (internal_policy.hpp). Neighbours: origin_policy.cpp,
// sigv4.cpp (the signature check), src/simulator/simulator.cpp (the endpoints themselves).
#include "core/trim.hpp"
#include "gateway/internal_policy.hpp"

#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "gateway/sigv4.hpp"

namespace awan::gateway {

namespace {

std::string_view trim(std::string_view s) { return text::trim_blanks(s); }

http::Response refuse(int status, std::string_view code, std::string message) {
  http::Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = nlohmann::json{{"error", code}, {"message", std::move(message)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// The admin token the request presents, or nullopt.
std::optional<std::string_view> presented_token(const http::Request& req) {
  if (const std::string* t = req.headers.find("x-awan-admin-token")) return trim(*t);
  std::string_view auth = trim(req.headers.get("authorization"));
  constexpr std::string_view kBearer = "bearer ";
  if (auth.size() > kBearer.size() && text::ascii_lower(auth.substr(0, kBearer.size())) == kBearer)
    return trim(auth.substr(kBearer.size()));
  return std::nullopt;
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return text::ascii_lower(media) == "application/json";
}

std::optional<http::Response> check_internal(const http::Request& req, const InternalPolicyOptions& options,
                                             const CredentialLookup& lookup, const Clock& clock) {
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") return std::nullopt;
  if (m != "POST")
    return refuse(405, "MethodNotAllowed", "internal endpoints accept GET and HEAD to read, POST to change state");
  if (!is_json_content_type(req.headers.get("content-type"))) {
    return refuse(415, "UnsupportedMediaType",
                  "POST " + req.path +
                      " needs 'Content-Type: application/json' (internal endpoints refuse the form and text "
                      "requests that any web page can send cross-site)");
  }
  if (!options.verify_signatures) return std::nullopt;

  if (auto token = presented_token(req)) {
    if (!options.admin_token.empty() && sigv4::constant_time_equals(*token, options.admin_token)) return std::nullopt;
    return refuse(403, "AccessDenied", "the admin token is not valid");
  }
  sigv4::Auth auth = sigv4::parse(req);
  if (auth.kind != sigv4::AuthKind::Header && auth.kind != sigv4::AuthKind::Presigned) {
    return refuse(403, "AccessDenied",
                  "with --verify-signatures, internal endpoints that change state need a SigV4-signed request or "
                  "the admin token (--admin-token: 'Authorization: Bearer <token>' or 'X-Awan-Admin-Token')");
  }
  sigv4::VerifyOptions vo;
  vo.dialect = sigv4::Dialect::Query;
  vo.clock = &clock;
  auto err = sigv4::parse_error(auth, vo.dialect);
  if (!err) err = sigv4::verify(req, auth, lookup ? lookup(auth.access_key) : std::nullopt, vo);
  if (err) return refuse(403, err->code, err->message);
  return std::nullopt;
}

}  // namespace awan::gateway
