// libFuzzer target: JWT parsing, claim checks and RS256 verification (apigateway/jwt.hpp). The
// input is a token; its bytes are also tried as a JWKS document against a fixed token.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "apigateway/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::apigateway;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const nlohmann::json kJwks = nlohmann::json::parse(
      R"({"keys":[{"kty":"RSA","kid":"k1","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]})");
  static const JwtExpectations kExpect{"https://issuer.example", {"aud"}, {"read"},
                                       std::chrono::system_clock::from_time_t(1700000000)};
  if (auto jwt = parse_jwt(text)) {
    (void)check_claims(*jwt, kExpect);
    (void)verify_rs256(*jwt, kJwks);
  }
  (void)base64url_decode(text);
  nlohmann::json jwks = nlohmann::json::parse(text, nullptr, false);
  if (!jwks.is_discarded()) {
    static const auto fixed = parse_jwt("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln");
    if (fixed) (void)verify_rs256(*fixed, jwks);
  }
  return 0;
}
