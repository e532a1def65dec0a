#pragma once
// Request size limits per service, decided from the request's headers alone (X-Amz-Target, the
// SigV4 credential scope, Host, path): the HTTP server asks at header time, before it reads a
// body, so that an oversized request is refused without being read. Neighbours: router.hpp
// (the same routing, on the whole request), docs/operations.md ("Limits": the table below).
#include <cstdint>
#include <string>
#include <string_view>

#include "awan/error.hpp"
#include "http/message.hpp"

namespace awan::gateway {

// The documented limits (bytes of request body, as received).
inline constexpr uint64_t kDynamoDbRequestLimit = 16ull * 1024 * 1024;  // BatchWriteItem: 16 MB
inline constexpr uint64_t kSqsRequestLimit = 4ull * 1024 * 1024;       // 1 MiB messages, encoded
inline constexpr uint64_t kSnsRequestLimit = 1ull * 1024 * 1024;       // 256 KiB messages, encoded
inline constexpr uint64_t kIamRequestLimit = 8ull * 1024 * 1024;       // 2 MiB certificate chains
inline constexpr uint64_t kStsRequestLimit = 1ull * 1024 * 1024;
inline constexpr uint64_t kLambdaInvokeLimit = 6ull * 1024 * 1024;       // RequestResponse payload
inline constexpr uint64_t kLambdaEventInvokeLimit = 1ull * 1024 * 1024;  // Event payload (2025)
inline constexpr uint64_t kLambdaCodeLimit = 69'905'067;                 // 50 MB zip, base64 in JSON
inline constexpr uint64_t kLogsRequestLimit = 4ull * 1024 * 1024;       // 1 MiB batches, JSON-escaped
inline constexpr uint64_t kApiGatewayLimit = 10ull * 1024 * 1024;       // 10 MB payloads
inline constexpr uint64_t kFunctionUrlLimit = 6291456;                // as a synchronous Invoke
inline constexpr uint64_t kStepFunctionsLimit = 1ull * 1024 * 1024;     // 1 MB per request
inline constexpr uint64_t kS3ObjectLimit = 5ull * 1024 * 1024 * 1024;   // single PUT: 5 GiB
inline constexpr uint64_t kInternalLimit = 1ull * 1024 * 1024;          // /_awan/* endpoints
inline constexpr uint64_t kDefaultRequestLimit = 16ull * 1024 * 1024;   // anything else

struct RequestLimit {
  std::string service;   // who decided: a service id, "internal", or "" (unrouted)
  std::string operation; // when the headers name it (X-Amz-Target, Lambda paths), else ""
  uint64_t max_bytes = kDefaultRequestLimit;
};

// The limit of a request, from its method, path, query and headers (the body is not looked
// at). `cap` (--max-body-size) lowers every limit.
RequestLimit request_limit(const http::Request& head, uint64_t cap = UINT64_MAX);

// The same, as the HTTP server's header-time hook: a request that declares a body no larger
// than the smallest limit of any service is not routed (it runs on every request).
uint64_t body_limit_for(const http::Request& head, uint64_t cap = UINT64_MAX);

// The error a request over its limit gets, as that service answers it (413
// RequestEntityTooLarge where AWS documents none). `declared` is the Content-Length, when
// the request had one (0 otherwise).
AwsError request_too_large(const RequestLimit& limit, uint64_t declared);
// The same for a request the server refused (http::Request::body_too_large).
AwsError request_too_large(const http::Request& head, uint64_t cap = UINT64_MAX);

}  // namespace awan::gateway
