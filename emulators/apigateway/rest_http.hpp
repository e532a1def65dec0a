#pragma once
// The outbound call of HTTP and HTTP_PROXY integrations (libcurl, blocking: run it off the I/O
// threads).
#include <string>
#include <utility>
#include <vector>

namespace awan::apigateway {

struct OutboundResponse {
  bool ok = false;  // false: the endpoint was not reached or timed out (error says why)
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body, error;
};

OutboundResponse http_request(const std::string& method, const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                              long timeout_ms);

}  // namespace awan::apigateway
