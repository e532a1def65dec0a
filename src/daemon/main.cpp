// awan: the daemon. `awan serve` runs the simulator until SIGINT/SIGTERM.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "awan/simulator.hpp"
#include "http/fd_limits.hpp"
#include "pipelines/inventory/inventory.hpp"

#ifndef AWAN_VERSION
#define AWAN_VERSION "0.0.0"
#endif

namespace {

const char* kUsage = R"(Awan — a local AWS serverless simulator

Usage:
  awan serve [options]     run the simulator until SIGINT/SIGTERM
  awan --version           print the version
  awan --help              print this help

Options of `serve` (each also read from the environment variable in brackets):
  --host HOST              address to listen on (default 127.0.0.1)      [AWAN_HOST]
  --port PORT              port; 0 picks a free one (default 4566)       [AWAN_PORT]
  --data-dir DIR           keep state in SQLite files under DIR          [AWAN_DATA_DIR]
                           (default: none, everything in memory); one daemon
                           per directory (locked while it runs)
  --sync normal|full       with --data-dir: `normal` (default) keeps every acknowledged
                           write across kill -9 and crashes of the daemon; `full` fsyncs
                           every commit and also survives power loss    [AWAN_SYNC]
  --log-level LEVEL        trace|debug|info|warn|error|off (default info) [AWAN_LOG_LEVEL]
  --region REGION          default region (default us-east-1)           [AWAN_REGION]
  --account-id ID          default account (default 000000000000)       [AWAN_ACCOUNT_ID]
  --threads N              I/O threads (default: number of cores)       [AWAN_THREADS]
  --verify-signatures      verify SigV4 signatures                      [AWAN_VERIFY_SIGNATURES=1]
  --credentials FILE       access-key/secret pairs accepted when verifying,
                           one "ACCESS_KEY SECRET" per line (default: test/test)
                                                                        [AWAN_CREDENTIALS]
  --max-body-size BYTES    largest request body for any service; each service's
                           own limit applies below it (default 5368709120) [AWAN_MAX_BODY_SIZE]
  --max-connections N      open connections at most (default: from the open-file
                           limit, (RLIMIT_NOFILE - 64) / 2)             [AWAN_MAX_CONNECTIONS]
  --header-timeout SECONDS a request header must be whole this long after its first
                           byte (default 10)                            [AWAN_HEADER_TIMEOUT]
  --min-body-rate BYTES    bytes/s a request body must average once the grace period
                           is over; 0 = no floor (default 1024)         [AWAN_MIN_BODY_RATE]
  --body-rate-grace SECONDS  before the body rate floor applies (default 5)
                                                                        [AWAN_BODY_RATE_GRACE]
  --ttl-interval SECONDS   DynamoDB TTL sweep period (default 5; fractions allowed)
                                                                        [AWAN_TTL_INTERVAL]
  --enforce-throughput     DynamoDB throttles PROVISIONED tables and their GSIs to
                           their capacity units (300 s burst)  [AWAN_ENFORCE_THROUGHPUT=1]
  --sns-auto-confirm       SNS HTTP/S and email subscriptions need no confirmation
                                                                        [AWAN_SNS_AUTO_CONFIRM=1]
  --smtp HOST:PORT         SNS email goes to this SMTP server (no TLS, no auth)
                                                                        [AWAN_SMTP]
  --outbox DIR             else SNS email is written here as .eml files (default
                           DATA_DIR/outbox, or /tmp/awan-outbox in memory) [AWAN_OUTBOX]
  --pipeline NAME          deploy a ready-made pipeline at start-up, before the
                           "listening" line (known: inventory; the upload bucket
                           s3://inventory, alerts emailed to $AWAN_INVENTORY_EMAIL or
                           store-manager@example.com)                [AWAN_PIPELINE]
  --allowed-origins LIST   web origins allowed besides localhost ones, comma-separated
                           ("https://app.example.com,https://*.example.com"; "*" = any)
                                                                        [AWAN_ALLOWED_ORIGINS]
  --hostname LIST          host names served besides localhost (and their subdomains),
                           comma-separated                              [AWAN_HOSTNAME]
  --tls-port PORT          also serve HTTPS on this port; 0 picks a free one
                           (default: no HTTPS)                          [AWAN_TLS_PORT]
  --tls-cert FILE          the HTTPS certificate chain (PEM), with --tls-key; without
                           them a local CA (kept in DATA_DIR/tls) issues one for
                           localhost, *.localhost, 127.0.0.1, ::1 and --hostname names,
                           and GET /_awan/tls/ca.pem serves the CA      [AWAN_TLS_CERT]
  --tls-key FILE           the HTTPS private key (PEM)                  [AWAN_TLS_KEY]
  --admin-token TOKEN      lets internal POSTs (/_awan/reset, ...) through under
                           --verify-signatures ("Authorization: Bearer TOKEN")
                                                                        [AWAN_ADMIN_TOKEN]

On start it prints one line, "Awan <version> listening on http://ADDRESS:PORT" (the bound
address: http://0.0.0.0:4566, http://[::1]:4566, ...), and with --tls-port a second one,
"Awan <version> HTTPS on https://ADDRESS:PORT". Bound to a non-loopback address it
also warns on stderr: the API is then reachable from the network. See docs/operations.md,
"Security model".
)";

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

bool truthy(const std::string& v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "awan: %s\n(see awan --help)\n", msg.c_str());
  std::exit(2);
}

std::chrono::milliseconds parse_seconds(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !(d > 0) || d > 86400 * 365) usage_error("invalid value for " + flag + ": '" + v + "'");
  return std::chrono::milliseconds(static_cast<int64_t>(d * 1000 + 0.5));
}

long parse_number(const std::string& flag, const std::string& v, long lo, long hi) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n < lo || n > hi) usage_error("invalid value for " + flag + ": '" + v + "'");
  return n;
}

bool parse_sync(const std::string& flag, const std::string& v) {
  if (v == "full") return true;
  if (v == "normal") return false;
  usage_error("invalid value for " + flag + ": '" + v + "' (normal or full)");
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& items) {
  to.insert(to.end(), items.begin(), items.end());
}

std::vector<std::pair<std::string, std::string>> read_credentials(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage_error("cannot read credentials file " + path);
  std::vector<std::pair<std::string, std::string>> out;
  std::string key, secret;
  while (in >> key >> secret) out.emplace_back(key, secret);
  if (out.empty()) usage_error("no credentials in " + path);
  return out;
}

int serve(const std::vector<std::string>& args) {
  awan::SimulatorOptions o;
  std::string log_level = "info";
  // Environment first, flags override.
  if (auto v = env("AWAN_HOST")) o.host = *v;
  if (auto v = env("AWAN_PORT")) o.port = static_cast<uint16_t>(parse_number("AWAN_PORT", *v, 0, 65535));
  if (auto v = env("AWAN_DATA_DIR")) o.data_dir = *v;
  if (auto v = env("AWAN_SYNC")) o.sync_full = parse_sync("AWAN_SYNC", *v);
  if (auto v = env("AWAN_LOG_LEVEL")) log_level = *v;
  if (auto v = env("AWAN_REGION")) o.region = *v;
  if (auto v = env("AWAN_ACCOUNT_ID")) o.account_id = *v;
  if (auto v = env("AWAN_THREADS")) o.threads = static_cast<int>(parse_number("AWAN_THREADS", *v, 0, 256));
  if (auto v = env("AWAN_VERIFY_SIGNATURES")) o.verify_signatures = truthy(*v);
  if (auto v = env("AWAN_CREDENTIALS")) o.credentials = read_credentials(*v);
  if (auto v = env("AWAN_TTL_INTERVAL")) o.ttl_interval = parse_seconds("AWAN_TTL_INTERVAL", *v);
  if (auto v = env("AWAN_ENFORCE_THROUGHPUT")) o.enforce_throughput = truthy(*v);
  if (auto v = env("AWAN_MAX_BODY_SIZE")) o.max_body_bytes = parse_number("AWAN_MAX_BODY_SIZE", *v, 1, 1L << 40);
  if (auto v = env("AWAN_ALLOWED_ORIGINS")) o.allowed_origins = split_list(*v);
  if (auto v = env("AWAN_HOSTNAME")) o.hostnames = split_list(*v);
  if (auto v = env("AWAN_ADMIN_TOKEN")) o.admin_token = *v;
  if (auto v = env("AWAN_SNS_AUTO_CONFIRM")) o.sns_auto_confirm = truthy(*v);
  if (auto v = env("AWAN_SMTP")) o.smtp_server = *v;
  if (auto v = env("AWAN_OUTBOX")) o.outbox_dir = *v;
  std::vector<std::string> pipelines;
  if (auto v = env("AWAN_PIPELINE")) pipelines = split_list(*v);
  bool origins_flag = false, hostnames_flag = false;
  if (auto v = env("AWAN_MAX_CONNECTIONS")) {
    o.max_connections = static_cast<int>(parse_number("AWAN_MAX_CONNECTIONS", *v, 1, 1 << 20));
  }
  if (auto v = env("AWAN_HEADER_TIMEOUT")) o.header_timeout = parse_seconds("AWAN_HEADER_TIMEOUT", *v);
  if (auto v = env("AWAN_MIN_BODY_RATE")) o.min_body_rate = parse_number("AWAN_MIN_BODY_RATE", *v, 0, 1L << 40);
  if (auto v = env("AWAN_BODY_RATE_GRACE")) o.body_rate_grace = parse_seconds("AWAN_BODY_RATE_GRACE", *v);
  if (auto v = env("AWAN_TLS_PORT")) o.tls_port = static_cast<uint16_t>(parse_number("AWAN_TLS_PORT", *v, 0, 65535));
  if (auto v = env("AWAN_TLS_CERT")) o.tls_cert_file = *v;
  if (auto v = env("AWAN_TLS_KEY")) o.tls_key_file = *v;

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (i + 1 >= args.size()) usage_error(flag + " needs a value");
      return args[++i];
    };
    if (a == "--host") o.host = value(a);
    else if (a == "--port") o.port = static_cast<uint16_t>(parse_number(a, value(a), 0, 65535));
    else if (a == "--data-dir") o.data_dir = value(a);
    else if (a == "--sync") o.sync_full = parse_sync(a, value(a));
    else if (a == "--log-level") log_level = value(a);
    else if (a == "--region") o.region = value(a);
    else if (a == "--account-id") o.account_id = value(a);
    else if (a == "--threads") o.threads = static_cast<int>(parse_number(a, value(a), 0, 256));
    else if (a == "--verify-signatures") o.verify_signatures = true;
    else if (a == "--credentials") o.credentials = read_credentials(value(a));
    else if (a == "--max-body-size") o.max_body_bytes = parse_number(a, value(a), 1, 1L << 40);
    else if (a == "--ttl-interval") o.ttl_interval = parse_seconds(a, value(a));
    else if (a == "--enforce-throughput") o.enforce_throughput = true;
    else if (a == "--allowed-origins") {
      if (!origins_flag) o.allowed_origins.clear();
      origins_flag = true;
      append(o.allowed_origins, split_list(value(a)));
    } else if (a == "--hostname") {
      if (!hostnames_flag) o.hostnames.clear();
      hostnames_flag = true;
      append(o.hostnames, split_list(value(a)));
    } else if (a == "--admin-token") o.admin_token = value(a);
    else if (a == "--sns-auto-confirm") o.sns_auto_confirm = true;
    else if (a == "--smtp") o.smtp_server = value(a);
    else if (a == "--outbox") o.outbox_dir = value(a);
    else if (a == "--pipeline") pipelines.push_back(value(a));
    else if (a == "--max-connections") o.max_connections = static_cast<int>(parse_number(a, value(a), 1, 1 << 20));
    else if (a == "--header-timeout") o.header_timeout = parse_seconds(a, value(a));
    else if (a == "--min-body-rate") o.min_body_rate = parse_number(a, value(a), 0, 1L << 40);
    else if (a == "--body-rate-grace") o.body_rate_grace = parse_seconds(a, value(a));
    else if (a == "--tls-port") o.tls_port = static_cast<uint16_t>(parse_number(a, value(a), 0, 65535));
    else if (a == "--tls-cert") o.tls_cert_file = value(a);
    else if (a == "--tls-key") o.tls_key_file = value(a);
    else usage_error("unknown option " + a);
  }
  if (o.account_id.size() != 12 || o.account_id.find_first_not_of("0123456789") != std::string::npos) {
    usage_error("--account-id must be 12 digits");
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) usage_error("--tls-cert and --tls-key go together");
  if (!o.tls_cert_file.empty() && !o.tls_port) usage_error("--tls-cert needs --tls-port");

  auto logger = spdlog::stderr_color_mt("awan");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  auto level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") usage_error("invalid --log-level '" + log_level + "'");
  spdlog::set_level(level);

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // Every connection needs a descriptor: use all the hard limit allows.
  awan::http::raise_open_file_limit();

  std::unique_ptr<awan::Simulator> sim;
  try {
    sim = std::make_unique<awan::Simulator>(o);
    awan::pipelines::inventory::register_handlers(sim->functions());
    sim->start();
    for (const auto& p : pipelines) {
      if (p != "inventory") throw std::runtime_error("unknown pipeline " + p + " (known: inventory)");
      awan::pipelines::inventory::Options io;
      if (auto v = env("AWAN_INVENTORY_EMAIL")) io.email = *v;
      awan::pipelines::inventory::deploy(*sim, io);
    }
  } catch (const awan::AwsError& e) {
    std::fprintf(stderr, "awan: pipeline: %s: %s\n", e.code.c_str(), e.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "awan: %s\n", e.what());
    return 1;
  }
  std::printf("Awan %s listening on %s\n", AWAN_VERSION, sim->listen_url().c_str());
  if (sim->tls_port() != 0) {
    std::string url = sim->listen_url();
    std::printf("Awan %s HTTPS on https://%s:%u\n", AWAN_VERSION,
                url.substr(7, url.rfind(':') - 7).c_str(), static_cast<unsigned>(sim->tls_port()));
  }
  std::fflush(stdout);
  if (!sim->loopback_only()) {
    std::fprintf(stderr,
                 "awan: WARNING: %s is not a loopback address: the API is reachable from the network, by any "
                 "Host name%s\n",
                 sim->listen_url().c_str(),
                 o.verify_signatures ? "; requests must be signed (--verify-signatures)"
                                     : ", and unauthenticated: anyone who can reach this port can read and change "
                                       "all state (start with --verify-signatures to require signed requests)");
    std::fflush(stderr);
  }
  spdlog::info("data: {}; region {}; account {}; signatures {}", o.data_dir.empty() ? "in memory" : o.data_dir,
               o.region, o.account_id, o.verify_signatures ? "verified" : "not verified");

  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {}: stopping", sig);
  sim->stop();
  sim.reset();
  spdlog::shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::printf("awan %s\n", AWAN_VERSION);
    return 0;
  }
  if (args[0] == "serve") return serve(std::vector<std::string>(args.begin() + 1, args.end()));
  usage_error("unknown command '" + args[0] + "'");
}
