#pragma once
// Who may call the internal endpoints (/_awan/*, /_localstack/*, /moto-api/*): reading (GET,
// HEAD: health, listings) is open; changing state (reset, sweeps, ...) takes a POST with
// Content-Type: application/json, which a web page cannot send cross-site without a CORS
// preflight, and, under --verify-signatures, a SigV4-signed request (any known key) or the
// admin token. Neighbours: origin_policy.hpp (the stage before routing), authenticate.hpp.
#include <optional>
#include <string>
#include <string_view>

#include "awan/clock.hpp"
#include "gateway/authenticate.hpp"
#include "http/message.hpp"

namespace awan::gateway {

struct InternalPolicyOptions {
  bool verify_signatures = false;
  // Presented as "Authorization: Bearer <token>" or "X-Awan-Admin-Token: <token>"; "" = none.
  std::string admin_token;
};

// Whether a Content-Type names JSON ("application/json; charset=utf-8").
bool is_json_content_type(std::string_view content_type);

// nullopt lets the internal request through; otherwise its JSON answer (405 for a method
// other than GET/HEAD/POST, 415 for a POST that is not JSON, 403 without a valid signature or
// admin token under verification).
std::optional<http::Response> check_internal(const http::Request& req, const InternalPolicyOptions& options,
                                             const CredentialLookup& lookup, const Clock& clock);

}  // namespace awan::gateway
