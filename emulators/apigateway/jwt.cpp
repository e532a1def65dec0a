// JWT parsing, RS256 verification and claim checks; JWKS fetching (over src/remote's HTTP client).
#include "apigateway/jwt.hpp"

#include <algorithm>
#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/crypto.hpp"
#include "core/document.hpp"  // text_of: json::value would throw on a member of another type

namespace awan::apigateway {

using json = nlohmann::json;

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.find('=') != std::string_view::npos) text = text.substr(0, text.find('='));
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/') return std::nullopt;
  }
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4) s += '=';
  return crypto::base64_decode(s);
}

std::optional<Jwt> parse_jwt(std::string_view token) {
  size_t a = token.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) return std::nullopt;
  auto h = base64url_decode(token.substr(0, a));
  auto p = base64url_decode(token.substr(a + 1, b - a - 1));
  auto s = base64url_decode(token.substr(b + 1));
  if (!h || !p || !s) return std::nullopt;
  Jwt jwt;
  jwt.header = json::parse(*h, nullptr, false);
  jwt.claims = json::parse(*p, nullptr, false);
  if (!jwt.header.is_object() || !jwt.claims.is_object()) return std::nullopt;
  jwt.signing_input = std::string(token.substr(0, b));
  jwt.signature = std::move(*s);
  return jwt;
}

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey rsa_key(const json& jwk) {
  if (!jwk.is_object() || text_of(jwk, "kty") != "RSA" || !jwk.contains("n") || !jwk.contains("e")) return nullptr;
  if (!jwk["n"].is_string() || !jwk["e"].is_string()) return nullptr;
  auto n = base64url_decode(jwk["n"].get<std::string>());
  auto e = base64url_decode(jwk["e"].get<std::string>());
  if (!n || !e || n->empty() || e->empty() || n->size() > 2048) return nullptr;
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr);
  BIGNUM* be = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY* pkey = nullptr;
  if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) && (params = OSSL_PARAM_BLD_to_param(bld))) {
    EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (pctx && EVP_PKEY_fromdata_init(pctx) > 0) EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(pctx);
  }
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn);
  BN_free(be);
  return Pkey(pkey);
}

bool verify_with(EVP_PKEY* key, const Jwt& jwt) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(jwt.signature.data()), jwt.signature.size(),
                             reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                             jwt.signing_input.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

}  // namespace

bool verify_rs256(const Jwt& jwt, const json& jwks) {
  if (text_of(jwt.header, "alg") != "RS256" || !jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
    return false;
  std::string kid = text_of(jwt.header, "kid");
  for (const auto& k : jwks["keys"]) {
    if (!k.is_object()) continue;
    if (!kid.empty() && text_of(k, "kid") != kid) continue;
    if (auto key = rsa_key(k); key && verify_with(key.get(), jwt)) return true;
  }
  return false;
}

std::string check_claims(const Jwt& jwt, const JwtExpectations& e) {
  const json& c = jwt.claims;
  if (text_of(c, "iss") != e.issuer) return "issuer mismatch";
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(e.now.time_since_epoch()).count();
  if (!c.contains("exp") || !c["exp"].is_number()) return "no expiration";
  if (c["exp"].get<double>() <= static_cast<double>(now)) return "expired";
  if (c.contains("nbf") && c["nbf"].is_number() && c["nbf"].get<double>() > static_cast<double>(now)) return "not yet valid";
  auto in_audience = [&](const std::string& v) { return std::find(e.audience.begin(), e.audience.end(), v) != e.audience.end(); };
  bool aud_ok = false;
  if (c.contains("aud")) {
    if (c["aud"].is_string()) aud_ok = in_audience(c["aud"]);
    else if (c["aud"].is_array())
      for (const auto& a : c["aud"]) aud_ok = aud_ok || (a.is_string() && in_audience(a));
  } else if (c.contains("client_id") && c["client_id"].is_string()) {
    aud_ok = in_audience(c["client_id"]);
  }
  if (!aud_ok) return "audience mismatch";
  if (!e.scopes.empty()) {
    std::vector<std::string> have;
    for (const char* name : {"scope", "scp"}) {
      if (!c.contains(name)) continue;
      if (c[name].is_string()) {
        std::string s = c[name];
        size_t i = 0;
        while (i < s.size()) {
          size_t j = s.find(' ', i);
          if (j == std::string::npos) j = s.size();
          if (j > i) have.push_back(s.substr(i, j - i));
          i = j + 1;
        }
      } else if (c[name].is_array()) {
        for (const auto& v : c[name])
          if (v.is_string()) have.push_back(v);
      }
    }
    bool any = std::any_of(e.scopes.begin(), e.scopes.end(),
                           [&](const std::string& s) { return std::find(have.begin(), have.end(), s) != have.end(); });
    if (!any) return "insufficient scope";
  }
  return "";
}

std::optional<json> JwksCache::keys_for(const std::string& issuer) {
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(issuer);
    if (it != cache_.end() && std::chrono::steady_clock::now() - it->second.fetched < std::chrono::minutes(5))
      return it->second.keys;
  }
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string jwks_uri = base + "/.well-known/jwks.json";
  auto conf = http_request("GET", base + "/.well-known/openid-configuration", {}, "", std::chrono::seconds(5));
  if (conf.status == 200) {
    json c = json::parse(conf.body, nullptr, false);
    if (c.is_object() && c.contains("jwks_uri") && c["jwks_uri"].is_string()) jwks_uri = c["jwks_uri"];
  }
  auto r = http_request("GET", jwks_uri, {}, "", std::chrono::seconds(5));
  if (r.status != 200) return std::nullopt;
  json keys = json::parse(r.body, nullptr, false);
  if (!keys.is_object() || !keys.contains("keys")) return std::nullopt;
  std::lock_guard lock(mu_);
  cache_[issuer] = {keys, std::chrono::steady_clock::now()};
  return keys;
}

void JwksCache::clear() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace awan::apigateway
