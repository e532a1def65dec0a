#pragma once
// The first stage of the request path, before routing: which web origins may call the API
// (CORS, preflight answers) and which Host names the daemon answers to (DNS rebinding). A page
// on any web site can make a browser send "simple" requests (a form POST, a text/plain fetch)
// to 127.0.0.1:4566; this stage refuses those from foreign origins and foreign host names.
// Neighbours: router.hpp (the next stage), internal_policy.hpp (internal endpoints),
// docs/operations.md ("Security model").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace awan::gateway {

struct OriginPolicyOptions {
  // The address the daemon listens on. Bound to a non-loopback address (0.0.0.0, ::, a LAN
  // IP) the daemon is meant to be reached by other names: the Host check is off.
  std::string bind_host = "127.0.0.1";
  // Allowed besides the local origins (http(s)://localhost, 127.0.0.1, [::1], *.localhost, any
  // port): "https://app.example.com" (exactly that origin), "https://*.example.com" (any
  // subdomain), a ":*" port (any port), no scheme (http and https). "*" allows every origin.
  std::vector<std::string> allowed_origins;
  // Host names served besides the loopback ones (--hostname), with their subdomains; origins
  // on these hosts are allowed too.
  std::vector<std::string> hostnames;
};

// ---- matching (exposed for tests) ----

// "localhost", "*.localhost", 127.0.0.0/8, ::1 ("[::1]" too), without a port.
bool is_loopback_host(std::string_view host);
// Whether listening on this address keeps the API on this machine ("127.0.0.1", "localhost",
// "::1"); false for 0.0.0.0, :: and other addresses.
bool is_loopback_bind(std::string_view bind_host);
// "Example.COM:4566" → "example.com"; "[::1]:80" → "[::1]"; a trailing dot is dropped.
std::string host_name_of(std::string_view authority);
// Does `origin` ("https://app.example.com:8443") match `pattern` (see allowed_origins)?
bool origin_matches(std::string_view pattern, std::string_view origin);

class OriginPolicy {
 public:
  explicit OriginPolicy(OriginPolicyOptions options = {});

  bool origin_allowed(std::string_view origin) const;
  // True for a Host header naming this daemon (or when the check is off, or Host is absent).
  bool host_allowed(std::string_view host_header) const;
  bool host_check() const { return host_check_; }

  // The stage. nullopt lets the request through; otherwise the answer to send: 403 (JSON) for
  // a foreign Host or Origin, or the answer to a CORS preflight (OPTIONS with Origin and
  // Access-Control-Request-Method) from an allowed origin. A bucket with its own CORS rules
  // (Service::cors) answers its preflights before this stage runs (simulator.cpp).
  // `answer_preflights` false: a preflight from an allowed origin passes on (API Gateway
  // invocations, whose API answers with its own CORS configuration).
  std::optional<http::Response> admit(const http::Request& req, bool answer_preflights = true) const;

  // Adds Access-Control-Allow-Origin (+ Expose-Headers, Vary) to the answer to a request from
  // an allowed origin, unless the answer already carries CORS headers.
  static void add_cors_headers(std::string_view origin, http::Response& r);

 private:
  bool hostname_allowed(std::string_view name) const;
  http::Response preflight(const http::Request& req, std::string_view origin) const;

  OriginPolicyOptions options_;
  bool any_origin_ = false;
  bool host_check_ = true;
  std::string bind_name_;  // host_name_of(bind_host)
};

}  // namespace awan::gateway
