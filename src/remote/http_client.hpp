#pragma once
// Outbound HTTP with libcurl, blocking (run it off the I/O threads): API Gateway's HTTP
// integrations and JWKS fetches, awan::Client's HTTP transport and the bootstrap runtime loop.
// Each thread keeps one handle, so that calls to the same host reuse their connection.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace awan::remote {

struct HttpResponse {
  bool ok = false;  // false: the endpoint was not reached, timed out or answered too much (error says why)
  int status = 0;   // 504 when the transfer timed out
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body, error;
};

struct HttpOptions {
  long timeout_ms = 30000;  // 0: no limit (the Runtime API's /next waits for the next event)
  size_t max_body = 0;      // 0: no limit; beyond it the transfer stops (ok false)
};

HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                          const HttpOptions& options = {});

}  // namespace awan::remote
