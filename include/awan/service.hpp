#pragma once
// The operation interface every emulated service implements:
//   (RequestContext, operation name, input document) -> output document | AwsError
// with an asynchronous completion, so long polls and function invocations never block an
// I/O thread. Documents are nlohmann::json shaped like the AWS API shapes in the service
// models (the JSON-protocol form: timestamps as epoch seconds, blobs as base64 strings).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/error.hpp"
#include "awan/payload.hpp"
#include "awan/websocket.hpp"

namespace awan {

class FunctionRegistry;  // awan/function.hpp

struct RequestContext {
  std::string request_id;
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string access_key_id;    // as presented by the caller ("" when unsigned)
  std::string session_token;    // x-amz-security-token, when present
  std::string caller_arn;       // resolved principal ARN ("" = the account's root)
  std::string caller_user_id;   // resolved principal user id ("" = the account id)
  std::string service;          // botocore service id: "iam", "sts", "dynamodb", ...
  std::string operation;        // e.g. "GetCallerIdentity"
  std::string user_agent;
  std::string http_method;        // of the wire request ("" for in-process calls)
  // Trailing headers of an aws-chunked body (e.g. x-amz-checksum-crc32), lower-case names.
  std::vector<std::pair<std::string, std::string>> trailers;
  // The input payload of operations whose model payload member is a streaming blob (S3
  // PutObject/UploadPart Body): the request body, in memory or as the spooled file, never in
  // the input document. Null for every other operation. A service may move its bytes or its
  // file (PayloadFile::move_to).
  std::shared_ptr<Payload> payload;
  // The SHA-256 the caller claims for that payload (x-amz-content-sha256 as lower-case hex; ""
  // when the header is absent or not a digest: UNSIGNED-PAYLOAD, STREAMING-...). The service
  // checks it while it hashes the payload.
  std::string payload_sha256;
  std::string source_ip;          // the caller's address ("" for in-process calls)
  std::string host;               // the request's Host header ("" for in-process calls): SQS queue URLs
  bool https = false;             // the request came over HTTPS (--tls-port): URLs built from `host` are https
  const Clock* clock = &SystemClock::instance();
};

struct Result {
  nlohmann::json output = nlohmann::json::object();
  std::optional<AwsError> error;
  // The output payload of operations whose model payload member is a streaming blob (S3
  // GetObject Body): sent as the response body, from memory or from the file.
  std::optional<Payload> payload;

  static Result ok(nlohmann::json out = nlohmann::json::object()) {
    Result r;
    r.output = std::move(out);
    return r;
  }
  static Result fail(AwsError e) {
    Result r;
    r.error = std::move(e);
    return r;
  }
  Result&& with_payload(Payload p) && {
    payload = std::move(p);
    return std::move(*this);
  }
  bool is_error() const { return error.has_value(); }
};

using Completion = std::function<void(Result)>;

// Background work (sweepers, timers): runs fn on an I/O thread after `delay`. Work posted
// before the simulator starts runs once it has started. Never sleep in a service.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void post_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

// Persistence: where a service keeps its SQLite database (":memory:" unless --data-dir).
struct ServiceEnv {
  std::string data_dir;  // empty = in-memory
  // --sync full: every commit is fsynced (survives power loss), not only written (kill -9).
  bool sync_full = false;
  const Clock* clock = &SystemClock::instance();
  std::string default_account_id = "000000000000";
  std::string default_region = "us-east-1";
  Scheduler* scheduler = nullptr;  // set by the Simulator; may be null in unit tests
  // Cross-service calls (S3 → SQS/SNS/Lambda notifications, SNS → SQS, ...): the operation
  // interface of another service, in process, without HTTP. Set by the Simulator (unset in unit
  // tests: a service must cope). `done` may run on this thread before call_service returns;
  // never hold a lock that `done` takes.
  std::function<void(const RequestContext& ctx, const std::string& service, const std::string& operation,
                     nlohmann::json input, Completion done)>
      call_service;
  // --verify-signatures, for the signatures a service checks itself (S3 POST Object policies),
  // with the secret access key of an access key id (nullopt when unknown; unset in unit tests).
  bool verify_signatures = false;
  std::function<std::optional<std::string>(std::string_view access_key)> secret_for;
  // DynamoDB TTL sweep period (--ttl-interval).
  std::chrono::milliseconds ttl_interval{5000};
  // DynamoDB: throttle PROVISIONED tables to their capacity units (--enforce-throughput).
  bool enforce_throughput = false;
  // The URL clients reach the daemon at ("http://127.0.0.1:4566"), for links a service puts in
  // what it sends (SNS's SubscribeURL, SigningCertURL). Unset in unit tests.
  std::function<std::string()> endpoint_url;
  // The same on the HTTPS listener ("https://127.0.0.1:4567"), "" (or unset) without one.
  std::function<std::string()> https_endpoint_url;
  // SNS: confirm HTTP/S and email subscriptions at once (--sns-auto-confirm); send email to the
  // SMTP server "host:port" (--smtp) or else write it to the outbox directory (--outbox).
  bool sns_auto_confirm = false;
  // C++ function handlers registered with the Simulator (Lambda's "awan:<name>" handlers).
  std::shared_ptr<FunctionRegistry> functions;
  std::string smtp_server;
  std::string outbox_dir;
  // Path for a service's database file, or ":memory:".
  std::string db_path(std::string_view service) const {
    if (data_dir.empty()) return ":memory:";
    return data_dir + "/" + std::string(service) + ".db";
  }
};

// An internal endpoint's answer that is a document rather than JSON (SNS's signing
// certificate at GET /_awan/sns/SimpleNotificationService.pem).
struct InternalDocument {
  int status = 200;
  std::string content_type;
  std::string body;
};

// Browser CORS of a resource a service owns (S3 buckets with PutBucketCors rules), asked for
// requests that carry an Origin the daemon's origin policy allows.
struct CorsQuery {
  std::string resource;         // S3: the bucket
  std::string origin;
  std::string method;           // Access-Control-Request-Method when sent, else the request's
  std::string request_headers;  // a preflight's Access-Control-Request-Headers
  bool preflight = false;
  bool object = false;          // S3: the request names a key
};
struct CorsAnswer {
  std::optional<AwsError> refused;                           // a preflight that no rule allows
  std::vector<std::pair<std::string, std::string>> headers;  // to add (none: the browser blocks)
};

// A data-plane request (API Gateway's execute-api invocations): the HTTP request as received,
// answered by the service itself rather than through an operation codec. The three URL forms
//   /_aws/execute-api/<apiId>/<rest>, Host <apiId>.execute-api.<anything> with path /<rest>,
//   /restapis/<apiId>/<stage>/_user_request_/<path>  (rest = <stage>/<path>)
// all arrive as api_id plus path "/<rest>".
struct HttpCall {
  std::string api_id;
  std::string method;
  std::string path;   // raw (percent-encoded), "/<stage>/<path>" or, for $default stages, "/<path>"
  std::string query;  // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received, names in their case
  std::string body;
  std::string source_ip;
  std::string host;  // the Host header
  // "Upgrade: websocket" with a valid handshake: answer 101 with a listener to accept.
  bool websocket_upgrade = false;
  // First value of a header (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i) {
        char a = k[i], b = name[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        same = a == b;
      }
      if (same) return &v;
    }
    return nullptr;
  }
};

struct HttpAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // With status 101 to a websocket_upgrade call: the daemon completes the handshake (adding
  // these headers, e.g. Sec-WebSocket-Protocol) and hands the connection to this listener.
  std::shared_ptr<WebSocketListener> websocket;

  // Sets a header, replacing every value it had under any spelling of its name.
  void set_header(const std::string& name, std::string value) {
    auto lower = [](std::string_view s) {
      std::string out(s);
      for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      return out;
    };
    const std::string key = lower(name);
    bool replaced = false;
    for (auto& [k, v] : headers)
      if (lower(k) == key) {
        v = value;
        replaced = true;
      }
    if (!replaced) headers.emplace_back(name, std::move(value));
  }
};
using HttpCompletion = std::function<void(HttpAnswer)>;

class Service {
 public:
  virtual ~Service() = default;
  // botocore service id ("iam", "sts", ...): selects the model and codec.
  virtual std::string_view name() const = 0;

  // Asynchronous entry point. The default runs call() and completes at once.
  virtual void invoke(const RequestContext& ctx, const std::string& operation, nlohmann::json input,
                      Completion done) {
    done(call(ctx, operation, std::move(input)));
  }
  // Synchronous operations (the common case).
  virtual Result call(const RequestContext& ctx, const std::string& operation, nlohmann::json input) = 0;

  // The data plane: true when this service owns call.api_id and will call `done` exactly once
  // (on any thread); false, without calling it, to let another service answer. Runs on an I/O
  // thread: hand long work (function invocations) elsewhere.
  virtual bool invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) { return false; }

  // Drop all state (POST /_awan/reset).
  virtual void reset() = 0;
  // Internal endpoints of this service: `POST /_awan/<service>/<path>` (e.g.
  // /_awan/dynamodb/expire) lands here with path "expire" and the request body; a GET brings
  // its query string as `body` (GET /_awan/sqs/messages?QueueUrl=...). Return false when
  // unknown (404); otherwise fill `status` and the JSON `out`.
  virtual bool internal_endpoint(std::string_view method, std::string_view path, const std::string& body,
                                 int& status, nlohmann::json& out) {
    return false;
  }
  // Internal endpoints answering documents (tried before internal_endpoint); `query` is the
  // request's query string.
  virtual std::optional<InternalDocument> internal_document(std::string_view method, std::string_view path,
                                                            const std::string& query) {
    return std::nullopt;
  }
  // The resource's own CORS rules; nullopt when it has none (the daemon's policy applies).
  virtual std::optional<CorsAnswer> cors(const CorsQuery& query) { return std::nullopt; }
  // State summary for /_awan/health ("running", "available", ...).
  virtual std::string state() const { return "running"; }
  // The daemon is stopping: answer requests that are waiting (SQS long polls) now, while
  // their connections can still carry the answer.
  virtual void drain() {}
  // Stop background work before destruction.
  virtual void shutdown() {}
};

}  // namespace awan
