#pragma once
// The authentication stage of the request path (--verify-signatures): which scheme the request
// used, whether AWS would accept it for the routed service, and — only from a verified
// signature — who is calling. Runs after routing (router.hpp), before decoding; SigV4 itself
// is in sigv4.hpp. Without verification the simulator names the caller from Route's access key.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "awan/clock.hpp"
#include "awan/error.hpp"
#include "gateway/router.hpp"
#include "gateway/sigv4.hpp"
#include "http/aws_chunked.hpp"
#include "http/message.hpp"

namespace awan::gateway {

// The secret (and session) of an access key, nullopt when the key is unknown.
using CredentialLookup = std::function<std::optional<sigv4::Credentials>(std::string_view access_key)>;

// How the routed service spells authentication errors.
sigv4::Dialect dialect_for(const Route& route);

struct Authentication {
  std::optional<AwsError> error;  // the AWS error to answer with; nullopt when authentic
  std::string access_key;         // the verified access key: the only source of identity
  // Signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): how to check each chunk.
  std::optional<http::ChunkSigningContext> chunk_signing;
};

// Verifies the request as the routed service would. Accepted: a SigV4 Authorization header or
// SigV4 query parameters with a known key and the right signature. Refused with the service's
// error: no authentication (S3: AccessDenied, as for a private bucket), SigV2 headers and
// query signatures, other schemes, malformed SigV4, unknown keys, wrong signatures.
Authentication authenticate(const http::Request& req, const Route& route, const CredentialLookup& lookup,
                            const Clock& clock);

// The payload digest a request claims (x-amz-content-sha256 when it is 64 hex digits, lower
// case), "" otherwise: handed to the service that hashes a streamed payload (S3).
std::string claimed_payload_sha256(const http::Request& req);

// Requests AWS serves without a signature even when signatures are verified: the links SNS
// puts in its messages (GET ?Action=ConfirmSubscription / ?Action=Unsubscribe, unsigned), which
// carry their own secret (the confirmation token, the subscription ARN). API Gateway and
// function URL invocations without a signature (their own authorization decides).
bool anonymous_allowed(const http::Request& req, const Route& route);

}  // namespace awan::gateway
