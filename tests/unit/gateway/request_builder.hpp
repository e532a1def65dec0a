#pragma once
// Shared by the gateway unit tests: a request as the HTTP layer hands it over (target split into
// path and query, headers, body).
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace awan::gateway::testing_support {

inline http::Request request(std::string method, std::string target,
                             std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (auto& [k, v] : headers) r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}

}  // namespace awan::gateway::testing_support
