#pragma once
// The embedding API: start the whole simulator in-process (tests, tools), or through the
// `awan serve` daemon, which is a thin wrapper around this class.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awan/identity.hpp"
#include "awan/service.hpp"

namespace awan {

struct SimulatorOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;       // 0 picks a free port
  std::string data_dir;       // empty: everything in memory
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
  bool builtin_services = true;  // register IAM, STS, DynamoDB, ...
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
  std::string endpoint() const;  // "http://127.0.0.1:4566"

  // Drops all state of every service (POST /_awan/reset).
  void reset();

  // In-process call through the operation interface (no HTTP): the way services and
  // embedded handlers call each other.
  void call(const RequestContext& ctx, const std::string& service, const std::string& operation,
            nlohmann::json input, Completion done);
  // A context for in-process calls in the default account and region.
  RequestContext context() const;

  const SimulatorOptions& options() const;
  // What services get at construction: data directory, clock, scheduler for background work.
  const ServiceEnv& environment() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace awan
