#pragma once
// JSON Web Tokens for HTTP API JWT authorizers: parsing (header.payload.signature, base64url),
// RS256 verification against a JWKS with OpenSSL, the claim checks API Gateway makes (iss,
// aud or client_id, exp, nbf, scopes), and a cache of issuers' key sets fetched over HTTP
// (<issuer>/.well-known/openid-configuration → jwks_uri, else <issuer>/.well-known/jwks.json).
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "remote/http_client.hpp"

namespace awan::apigateway {

struct Jwt {
  nlohmann::json header, claims;
  std::string signing_input;  // "<header>.<payload>" as received
  std::string signature;      // raw bytes
};
// nullopt when the text is not three base64url parts of which the first two are JSON objects.
std::optional<Jwt> parse_jwt(std::string_view token);
std::optional<std::string> base64url_decode(std::string_view text);

// True when the token's RS256 signature verifies with the JWKS key of its "kid" (or, without a
// kid, any RSA key of the set).
bool verify_rs256(const Jwt& jwt, const nlohmann::json& jwks);

struct JwtExpectations {
  std::string issuer;
  std::vector<std::string> audience;  // any of them in aud (string or list) or client_id
  std::vector<std::string> scopes;    // the route's authorizationScopes: any in "scope"/"scp"
  std::chrono::system_clock::time_point now;
};
// "" when the claims pass, else why not (for the log).
std::string check_claims(const Jwt& jwt, const JwtExpectations& e);

// Key sets by issuer, fetched with libcurl (blocking: call off the I/O threads), kept 5 minutes.
class JwksCache {
 public:
  std::optional<nlohmann::json> keys_for(const std::string& issuer);
  void clear();

 private:
  struct Entry {
    nlohmann::json keys;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex mu_;
  std::map<std::string, Entry> cache_;
};

// Outbound HTTP (JWKS documents, HTTP and HTTP_PROXY integrations): src/remote's libcurl
// client, with API Gateway's 10 MB limit on what comes back.
using HttpResponse = remote::HttpResponse;
inline HttpResponse http_request(const std::string& method, const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body, std::chrono::milliseconds timeout) {
  return remote::http_request(method, url, headers, body, {static_cast<long>(timeout.count()), 10 * 1024 * 1024});
}

}  // namespace awan::apigateway
