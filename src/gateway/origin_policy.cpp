// Origin and Host policy (origin_policy.hpp): matching, the 403 answers, CORS preflights.
// Neighbours: internal_policy.cpp (internal endpoints), router.cpp (the next stage).
#include "gateway/origin_policy.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace awan::gateway {

namespace {

// Response headers a browser SDK needs to read (request ids, ETag, checksums, Lambda's
// function error, S3 object metadata...).
constexpr std::string_view kExposeHeaders =
    "x-amz-request-id, x-amzn-RequestId, x-amz-id-2, x-amzn-ErrorType, x-amzn-query-error, x-amz-crc32, ETag, "
    "x-amz-version-id, x-amz-delete-marker, x-amz-server-side-encryption, x-amz-expiration, x-amz-checksum-crc32, "
    "x-amz-checksum-crc32c, x-amz-checksum-sha1, x-amz-checksum-sha256, x-amz-mp-parts-count, x-amz-function-error, "
    "x-amz-log-result, x-amz-executed-version, Content-Range, Accept-Ranges, Location, Date";
constexpr std::string_view kMaxAge = "7200";  // Chromium's ceiling

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// An origin or an origin pattern split into its parts (lower case). port: "" when absent.
struct OriginParts {
  std::string scheme;
  std::string host;
  std::string port;
};

// The port that follows the host in an authority ("example.com:8443" → "8443"), "" when none.
std::string_view port_of(std::string_view authority) {
  size_t after_host = 0;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    after_host = close == std::string_view::npos ? authority.size() : close + 1;
  } else {
    after_host = authority.find(':');
    if (after_host == std::string_view::npos) after_host = authority.size();
  }
  std::string_view rest = authority.substr(after_host);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  return rest;
}

// "https://app.example.com:443" → {https, app.example.com, ""} (default ports dropped).
// A pattern may omit the scheme and use "*" as the port or as the first host label.
bool split_origin(std::string_view s, bool pattern, OriginParts& out) {
  s = trim(s);
  size_t sep = s.find("://");
  if (sep != std::string_view::npos) {
    out.scheme = text::ascii_lower(s.substr(0, sep));
    s.remove_prefix(sep + 3);
  } else if (!pattern) {
    return false;
  }
  if (pattern && !s.empty() && s.back() == '/') s.remove_suffix(1);
  if (s.empty() || s.find_first_of("/?#@ \t") != std::string_view::npos) return false;
  out.host = host_name_of(s);
  if (out.host.empty()) return false;
  std::string_view port = port_of(s);
  if (!(port.empty() || all_digits(port) || (pattern && port == "*"))) return false;
  out.port = std::string(port);
  if ((out.scheme == "http" && out.port == "80") || (out.scheme == "https" && out.port == "443")) out.port.clear();
  return true;
}

bool http_scheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

bool forbidden_char(char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; }

// A request header value echoed in an answer, without control characters.
std::string echo(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v)
    if (!forbidden_char(c)) out += c;
  return out;
}

http::Response forbidden(std::string_view code, std::string message) {
  http::Response r;
  r.status = 403;
  r.headers.add("Content-Type", "application/json");
  r.body = nlohmann::json{{"error", code}, {"message", std::move(message)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace

std::string host_name_of(std::string_view authority) {
  authority = trim(authority);
  std::string_view host;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    host = close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return text::ascii_lower(host);
}

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() > 64) return false;
  std::string h = text::ascii_lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  if (h == "localhost" || ends_with(h, ".localhost")) return true;
  std::array<unsigned char, 16> addr{};
  if (inet_pton(AF_INET, h.c_str(), addr.data()) == 1) return addr[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), addr.data()) == 1) {
    static constexpr std::array<unsigned char, 16> kLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (addr == kLoopback) return true;
    return std::memcmp(addr.data(), kMapped.data(), kMapped.size()) == 0 && addr[12] == 127;
  }
  return false;
}

bool is_loopback_bind(std::string_view bind_host) { return bind_host.empty() || is_loopback_host(bind_host); }

bool origin_matches(std::string_view pattern, std::string_view origin) {
  pattern = trim(pattern);
  if (pattern == "*") return true;
  OriginParts p, o;
  if (!split_origin(pattern, true, p) || !split_origin(origin, false, o)) return false;
  if (p.scheme.empty() ? !http_scheme(o.scheme) : (p.scheme != "*" && p.scheme != o.scheme)) return false;
  if (p.host.size() > 2 && p.host.compare(0, 2, "*.") == 0) {
    std::string_view suffix = std::string_view(p.host).substr(1);  // ".example.com"
    if (o.host.size() <= suffix.size() || !ends_with(o.host, suffix)) return false;
  } else if (p.host != o.host) {
    return false;
  }
  return p.port == "*" || p.port == o.port;
}

OriginPolicy::OriginPolicy(OriginPolicyOptions options) : options_(std::move(options)) {
  for (const std::string& p : options_.allowed_origins)
    if (trim(p) == "*") any_origin_ = true;
  for (std::string& h : options_.hostnames) h = host_name_of(h);
  std::string_view bind = trim(options_.bind_host);
  host_check_ = is_loopback_bind(bind);
  // A bare IPv6 literal ("::1") gets the brackets it has in a Host header.
  if (!bind.empty() && bind.front() != '[' && bind.find(':') != std::string_view::npos) {
    bind_name_.reserve(bind.size() + 2);
    bind_name_.append("[").append(text::ascii_lower(bind)).append("]");
  } else {
    bind_name_ = host_name_of(bind);
  }
}

bool OriginPolicy::hostname_allowed(std::string_view name) const {
  if (is_loopback_host(name)) return true;
  if (!name.empty() && name == bind_name_ && name != "0.0.0.0" && name != "[::]") return true;
  for (const std::string& h : options_.hostnames) {
    if (h.empty()) continue;
    if (name == h) return true;
    if (name.size() > h.size() && ends_with(name, h) && name[name.size() - h.size() - 1] == '.') return true;
  }
  return false;
}

bool OriginPolicy::origin_allowed(std::string_view origin) const {
  if (any_origin_) return true;
  OriginParts o;
  if (split_origin(origin, false, o) && http_scheme(o.scheme) && hostname_allowed(o.host)) return true;
  for (const std::string& p : options_.allowed_origins)
    if (origin_matches(p, origin)) return true;
  return false;
}

bool OriginPolicy::host_allowed(std::string_view host_header) const {
  if (!host_check_) return true;
  host_header = trim(host_header);
  if (host_header.empty()) return true;  // HTTP/1.0 without Host
  // What SDKs send almost always, decided without allocating.
  std::string_view name = host_header.substr(0, host_header.find(':'));
  if (name == "127.0.0.1" || name == "localhost") return true;
  return hostname_allowed(host_name_of(host_header));
}

std::optional<http::Response> OriginPolicy::admit(const http::Request& req, bool answer_preflights) const {
  if (const std::string* host = req.headers.find("host"); host && !host_allowed(*host)) {
    return forbidden("ForbiddenHost",
                     "Host '" + echo(trim(*host)) +
                         "' is not served: Awan answers to localhost, *.localhost and loopback addresses (and "
                         "names given with --hostname), which protects it from DNS rebinding");
  }
  const std::string* origin = req.headers.find("origin");
  if (!origin) return std::nullopt;
  if (!origin_allowed(*origin)) {
    return forbidden("ForbiddenOrigin", "Origin '" + echo(trim(*origin)) +
                                            "' is not allowed to call Awan (start it with --allowed-origins to "
                                            "allow it)");
  }
  if (answer_preflights && req.method == "OPTIONS" && req.headers.has("access-control-request-method"))
    return preflight(req, *origin);
  return std::nullopt;
}

http::Response OriginPolicy::preflight(const http::Request& req, std::string_view origin) const {
  http::Response r;
  r.status = 200;
  r.headers.add("Access-Control-Allow-Origin", echo(trim(origin)));
  r.headers.add("Access-Control-Allow-Methods", echo(trim(req.headers.get("access-control-request-method"))));
  if (auto h = trim(req.headers.get("access-control-request-headers")); !h.empty())
    r.headers.add("Access-Control-Allow-Headers", echo(h));
  r.headers.add("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  r.headers.add("Access-Control-Max-Age", std::string(kMaxAge));
  // Chromium's Private Network Access: a public page asks before calling a loopback address.
  if (trim(req.headers.get("access-control-request-private-network")) == "true")
    r.headers.add("Access-Control-Allow-Private-Network", "true");
  r.headers.add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return r;
}

void OriginPolicy::add_cors_headers(std::string_view origin, http::Response& r) {
  if (r.headers.has("access-control-allow-origin")) return;
  r.headers.add("Access-Control-Allow-Origin", echo(trim(origin)));
  r.headers.add("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  r.headers.add("Vary", "Origin");
}

}  // namespace awan::gateway
