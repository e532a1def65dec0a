#pragma once
// The embedding API: start the whole simulator in-process (tests, tools), or through the
// `awan serve` daemon, which is a thin wrapper around this class.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awan/function.hpp"
#include "awan/identity.hpp"
#include "awan/service.hpp"

namespace awan {

struct SimulatorOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;       // 0 picks a free port
  std::string data_dir;       // empty: everything in memory (locked exclusively while running)
  bool sync_full = false;     // fsync every commit (survives power loss), not only kill -9
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int threads = 0;            // I/O threads; 0 = number of cores
  bool verify_signatures = false;
  // Access key → secret pairs accepted when verifying signatures (besides IAM and STS keys).
  std::vector<std::pair<std::string, std::string>> credentials = {{"test", "test"}};
  // Largest request body for any service; each service's own limit (docs/operations.md,
  // "Limits") applies below it. Default: S3's 5 GiB single PUT.
  uint64_t max_body_bytes = 5ull * 1024 * 1024 * 1024;
  int max_connections = 0;  // open connections at most; 0 = from RLIMIT_NOFILE
  std::chrono::milliseconds header_timeout{10'000};  // a request header, from its first byte
  uint64_t min_body_rate = 1024;                    // bytes/s a body must average; 0 = none
  std::chrono::milliseconds body_rate_grace{5'000};  // before the rate floor applies
  const Clock* clock = &SystemClock::instance();
  std::chrono::milliseconds ttl_interval{5000};  // DynamoDB TTL sweep period
  bool enforce_throughput = false;  // DynamoDB: throttle PROVISIONED tables to their capacity
  // SNS email and HTTP/S subscriptions confirmed without the confirmation step.
  bool sns_auto_confirm = false;
  std::string smtp_server;  // "host:port": SNS email goes there (no TLS, no auth) ...
  std::string outbox_dir;   // ... else into this directory as .eml files ("" = <data-dir>/outbox or /tmp/awan-outbox)
  bool builtin_services = true;  // register IAM, STS, DynamoDB, ...
  // Browser and network policy (docs/operations.md, "Security model"). Web origins allowed
  // besides the local ones ("https://app.example.com", "https://*.example.com", "*" = any).
  std::vector<std::string> allowed_origins;
  // Host names served besides localhost, *.localhost and loopback addresses (and their
  // subdomains). Bound to a non-loopback host, every Host is served.
  std::vector<std::string> hostnames;
  // Lets state-changing internal requests through under verify_signatures ("" = only SigV4).
  std::string admin_token;
  // HTTPS (docs/operations.md, "HTTPS"): a second listener on this port (0 = a free one) serving
  // the same API. Its certificate: tls_cert_file and tls_key_file (PEM) when given, else one
  // issued at start by a local CA (kept in <data_dir>/tls, else in memory), whose certificate
  // is served at GET /_awan/tls/ca.pem.
  std::optional<uint16_t> tls_port;
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Simulator {
 public:
  explicit Simulator(SimulatorOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Registers a service (before start()). Replaces one of the same name, and drops the
  // credential resolvers that the replaced service owned.
  void add_service(std::unique_ptr<Service> service);
  // Adds a source of credentials (IAM access keys, STS sessions, ...), owned by the service
  // named `owner` (it must outlive its registration; "" = owned by the embedder).
  void add_credential_resolver(const CredentialResolver* resolver, std::string_view owner = "");
  Service* service(std::string_view name) const;

  // Binds and serves on background threads. Throws std::runtime_error if the port is taken.
  void start();
  // Stops accepting, lets in-flight requests finish (≤ 800 ms), stops the threads.
  void stop();
  uint16_t port() const;
  // The bound HTTPS port, 0 without TLS.
  uint16_t tls_port() const;
  // "https://127.0.0.1:4567" (as endpoint(), on the HTTPS port), "" without TLS.
  std::string tls_endpoint() const;
  // The PEM certificate of the CA that issued the HTTPS certificate ("" without TLS, or when
  // the certificate was given).
  std::string tls_ca_pem() const;
  // The URL clients should use: the bound address, except that a wildcard address becomes
  // the loopback one of its family ("http://127.0.0.1:4566"; 0.0.0.0 → 127.0.0.1, :: → [::1]).
  std::string endpoint() const;
  // The address actually listened on, as a URL ("http://0.0.0.0:4566", "http://[::]:4566").
  std::string listen_url() const;
  // False when bound to an address other machines can reach (0.0.0.0, ::, a LAN address).
  bool loopback_only() const;

  // Drops all state of every service (POST /_awan/reset).
  void reset();

  // In-process call through the operation interface (no HTTP): the way services and
  // embedded handlers call each other.
  void call(const RequestContext& ctx, const std::string& service, const std::string& operation,
            nlohmann::json input, Completion done);
  // A context for in-process calls in the default account and region.
  RequestContext context() const;

  // C++ handlers that Lambda functions bind to with the handler "awan:<name>".
  FunctionRegistry& functions();

  const SimulatorOptions& options() const;
  // What services get at construction: data directory, clock, scheduler for background work.
  const ServiceEnv& environment() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace awan
