// libFuzzer target: S3 CORS (s3/cors.hpp). Input: a CORSConfiguration JSON document, then after a
// NUL byte lines of origin, method and request headers matched against an accepted one's rules.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "s3/cors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::s3;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view doc_text = in.substr(0, nul);
  std::string_view rest = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  auto doc = nlohmann::json::parse(doc_text, nullptr, false);
  if (doc.is_discarded() || validate_cors(doc)) return 0;
  std::string_view part[3];
  for (auto& p : part) {
    size_t nl = rest.find('\n');
    p = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  CorsMatch pre = match_preflight(doc, part[0], part[1], part[2]);
  if (pre.matched == pre.headers.empty()) std::abort();
  CorsMatch actual = match_actual(doc, part[0], part[1]);
  if (actual.matched == actual.headers.empty()) std::abort();
  // A preflight without requested headers matches exactly when the actual request does.
  if (match_preflight(doc, part[0], part[1], "").matched != actual.matched) std::abort();
  for (const auto& rule : doc["CORSRules"])
    for (const auto& o : rule.value("AllowedOrigins", nlohmann::json::array()))
      (void)cors_pattern_matches(o.get<std::string>(), part[0], false);
  (void)cors_forbidden(part[1], !part[2].empty());
  return 0;
}
