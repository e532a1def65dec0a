#pragma once
// CORS configured on a data-plane resource, in the shape HTTP APIs (CorsConfiguration) and
// Lambda function URLs (Cors) share: {AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders,
// MaxAge, AllowCredentials}. The headers of a preflight answer and of an actual answer from an
// allowed origin. Users: emulators/apigateway/v2_invoke.cpp, emulators/lambda/function_urls.cpp.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::cors {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A preflight (OPTIONS with Access-Control-Request-Method `method`): the Access-Control-*
// headers to answer with; none when the origin or the method is not allowed (the browser then
// blocks the call). `request_headers`: Access-Control-Request-Headers, or nullptr.
Headers preflight_headers(const nlohmann::json& config, const std::string& origin, const std::string& method,
                          const std::string* request_headers);
// An actual request from `origin`: Access-Control-Allow-Origin (+ Allow-Credentials,
// Expose-Headers, Vary); none when the origin is not allowed. The origin is echoed, also when
// a wildcard allowed it.
Headers response_headers(const nlohmann::json& config, const std::string& origin);

// Whether a Content-Type names text (text/*, JSON, XML, JavaScript, forms): such bodies reach a
// function as they are, others base64-encoded.
bool is_text_media_type(const std::string& content_type);

}  // namespace awan::cors
