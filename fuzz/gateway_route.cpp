// libFuzzer target: the gateway stages that run on every request before a service sees it —
// the origin/host policy (origin_policy.hpp), routing (router.hpp), the internal endpoints'
// policy and the authentication stage — over arbitrary requests. Checks that identity is read
// only from the positions AWS uses, and that the policy never admits a foreign Host or Origin.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "awan/clock.hpp"
#include "fuzz/fuzz_request.hpp"
#include "gateway/authenticate.hpp"
#include "gateway/internal_policy.hpp"
#include "gateway/origin_policy.hpp"
#include "gateway/router.hpp"

namespace {

using namespace awan;

void require(bool ok) {
  if (!ok) std::abort();
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

const gateway::OriginPolicy& default_policy() {
  static const gateway::OriginPolicy p;
  return p;
}

const gateway::OriginPolicy& configured_policy() {
  static const gateway::OriginPolicy p({"127.0.0.1", {"https://*.example.com", "http://tool.test:*"}, {"awan.internal"}});
  return p;
}

gateway::CredentialLookup lookup() {
  return [](std::string_view key) -> std::optional<sigv4::Credentials> {
    if (key == "test") return sigv4::Credentials{"test", "", std::nullopt};
    return std::nullopt;
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Request req = fuzz::request_from_bytes(data, size);
  static const ManualClock clock;

  // Origin and Host.
  for (const gateway::OriginPolicy* p : {&default_policy(), &configured_policy()}) {
    auto answer = p->admit(req);
    const std::string* host = req.headers.find("host");
    const std::string* origin = req.headers.find("origin");
    if (host && !p->host_allowed(*host)) require(answer && answer->status == 403);
    if (origin && !p->origin_allowed(*origin)) require(answer && answer->status == 403);
    if (answer && answer->status == 200) require(req.method == "OPTIONS" && origin);
    if (origin && p->origin_allowed(*origin)) {
      http::Response r;
      gateway::OriginPolicy::add_cors_headers(*origin, r);
      for (const http::Header& h : r.headers.items())
        for (char c : h.value) require(c == '\t' || static_cast<unsigned char>(c) >= 0x20);
    }
  }
  if (const std::string* origin = req.headers.find("origin")) {
    // Under the default policy an allowed origin is an http(s) origin on a loopback host.
    if (default_policy().origin_allowed(*origin)) {
      std::string_view o = *origin;
      size_t sep = o.find("://");
      require(sep != std::string_view::npos);
      require(gateway::is_loopback_host(gateway::host_name_of(o.substr(sep + 3))));
    }
    (void)gateway::origin_matches(req.body.substr(0, 64), *origin);
  }

  // Routing: the access key comes only from where AWS reads it.
  gateway::Route route = gateway::route(req);
  if (const std::string* auth = req.headers.find("authorization"); auth && !route.access_key_id.empty()) {
    std::string_view cred = gateway::header_credential(*auth);
    std::string_view v2 = gateway::sigv2_access_key(*auth);
    require((!cred.empty() && cred.substr(0, cred.find('/')) == route.access_key_id) || v2 == route.access_key_id);
    require(ltrim(*auth).substr(0, 3) == "AWS");
  }

  // The stages after routing.
  if (route.kind == gateway::RouteKind::internal) {
    for (bool verify : {false, true}) {
      auto r = gateway::check_internal(req, {verify, "token"}, lookup(), clock);
      if (!r) require(req.method == "GET" || req.method == "HEAD" ||
                      gateway::is_json_content_type(req.headers.get("content-type")));
    }
  } else if (route.kind == gateway::RouteKind::service) {
    gateway::Authentication a = gateway::authenticate(req, route, lookup(), clock);
    if (a.error) {
      require(a.access_key.empty());
    } else {
      require(a.access_key == "test");
    }
  }
  return 0;
}
