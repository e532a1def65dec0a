#pragma once
// AWS Signature Version 4: parsing the Authorization header / presigned query string (done on
// every request: it is how the gateway learns the caller's access key and region), verifying a
// signature exactly as AWS does, and signing requests (tests, the HTTP client).
//
// Errors use the codes, messages and statuses AWS returns. Their spelling differs between S3,
// the awsQuery services (IAM, STS, SQS, SNS: "SignatureDoesNotMatch", 403) and the JSON services
// (DynamoDB, ...: "InvalidSignatureException", 400): pass the Dialect of the target service.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awan/clock.hpp"
#include "awan/error.hpp"
#include "http/aws_chunked.hpp"
#include "http/message.hpp"

namespace awan::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// Largest allowed difference between X-Amz-Date and the server clock.
inline constexpr std::chrono::seconds kMaxSkew{15 * 60};
// Largest X-Amz-Expires of a presigned URL (one week).
inline constexpr int64_t kMaxPresignExpires = 604800;

// How the target service spells authentication errors.
enum class Dialect {
  S3,     // restXml S3: AuthorizationHeaderMalformed, InvalidAccessKeyId, RequestTimeTooSkewed, ...
  Query,  // IAM, STS, SQS, SNS (and restJson/restXml services answering like them): 403 codes
  Json,   // DynamoDB-style awsJson: "...Exception" codes, status 400
};

enum class AuthKind : uint8_t {
  None,       // no Authorization header and no X-Amz-Signature/X-Amz-Credential query parameter
  Header,     // Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...
  Presigned,  // X-Amz-Algorithm/X-Amz-Credential/... query parameters
  SigV2,      // legacy "Authorization: AWS AKID:signature" or AWSAccessKeyId=&Signature= in the
              // query (access key only; never verified: parse_error refuses it in every dialect)
  Other,      // an Authorization header of another scheme ("Bearer ...", "AWS4-HMAC-SHA512 ...")
};

// What is wrong with the authentication information (None when well-formed).
enum class Problem : uint8_t {
  None,
  MissingParts,         // Credential / SignedHeaders / Signature / date missing (see missing_*)
  MissingEquals,        // a component without '=' ("Credential" alone); bad_component names it
  BadCredential,        // not exactly 5 '/'-separated elements
  BadCredentialDate,    // scope date not yyyyMMdd
  BadTerminator,        // last scope element not aws4_request
  BadAmzDate,           // X-Amz-Date (or Date) present but not parseable
  UnsupportedScheme,    // AuthKind::Other
  PresignMissingParams,  // presigned: one of the six X-Amz-* parameters missing
  PresignBadAlgorithm,   // presigned: X-Amz-Algorithm is not AWS4-HMAC-SHA256
  PresignBadExpires,     // presigned: X-Amz-Expires not a number
  PresignNegativeExpires,
  PresignExpiresTooLarge,  // > 604800
};

// The parsed authentication information. Every view points into the request (header values or
// the raw query string) and stays valid while that request object lives unchanged (a moved
// request invalidates the views: short strings move by copy); parsing allocates nothing.
// Presigned values are still percent-encoded where noted. Copy what must outlive the request.
struct Auth {
  AuthKind kind = AuthKind::None;
  Problem problem = Problem::None;
  bool missing_credential = false;
  bool missing_signed_headers = false;
  bool missing_signature = false;
  bool missing_date = false;
  std::string_view bad_component;   // MissingEquals: the component without '='
  std::string_view header;          // the raw Authorization header value (Header/Other/SigV2)
  std::string_view algorithm;       // "AWS4-HMAC-SHA256" (header scheme or X-Amz-Algorithm)

  std::string_view credential;      // raw Credential (presigned: may contain %2F)
  std::string_view access_key;
  std::string_view date;            // scope date, yyyyMMdd
  std::string_view region;
  std::string_view service;
  std::string_view terminator;      // "aws4_request" when well-formed
  std::string_view signed_headers;  // "host;x-amz-date" (presigned: ';' may be %3B)
  std::string_view signature;       // lower-case hex
  std::string_view amz_date;        // X-Amz-Date header or query parameter
  std::string_view http_date;       // Date header, used when there is no X-Amz-Date
  std::string_view security_token;  // X-Amz-Security-Token (presigned: percent-encoded)
  std::string_view expires_raw;     // presigned X-Amz-Expires
  int64_t expires = 0;              // presigned X-Amz-Expires, seconds

  bool present() const { return kind != AuthKind::None; }
  bool ok() const { return problem == Problem::None; }
  bool presigned() const { return kind == AuthKind::Presigned; }
  // date/region/service/aws4_request
  std::string scope() const;
  // Security token, percent-decoded ("" when absent).
  std::string session_token() const;
  // Lower-case signed header names, in the order given.
  std::vector<std::string> signed_header_list() const;
  // The request time (X-Amz-Date, else Date), when present and valid.
  std::optional<std::chrono::system_clock::time_point> request_time() const;
};

// Parses the authentication information of a request. Never fails: problems are reported in
// Auth::problem and turned into the AWS error by parse_error(). A request without any
// authentication gives kind None (anonymous for S3; MissingAuthenticationToken elsewhere).
Auth parse(const http::Request& req);

// The AWS error for a malformed Auth (auth.problem != None), for a SigV2 one (S3:
// InvalidRequest "...Please use AWS4-HMAC-SHA256."; elsewhere IncompleteSignature[Exception],
// or MissingAuthenticationTokenException for query parameters sent to a JSON service), or for
// a request without authentication in a non-S3 dialect (MissingAuthenticationToken). nullopt
// otherwise (anonymous S3 requests included: the caller decides).
std::optional<AwsError> parse_error(const Auth& auth, Dialect dialect);

// What the gateway knows about the presented access key.
struct Credentials {
  std::string secret_access_key;
  std::string session_token;  // required (and compared) when non-empty
  std::optional<std::chrono::system_clock::time_point> expires;  // temporary credentials
};

struct VerifyOptions {
  Dialect dialect = Dialect::Query;
  const Clock* clock = &SystemClock::instance();
  // Scope service expected by the endpoint ("s3", "iam", ...); empty = accept any.
  std::string_view expected_service;
};

// Verifies a parsed, well-formed Auth (kind Header or Presigned) against the request.
// `creds` is nullopt when the access key is unknown. Checks, in AWS's order: unknown key,
// expired/invalid session token, scope service, credential date vs X-Amz-Date, time skew
// (header auth) or expiry (presigned), the x-amz-content-sha256 value (S3), the signature
// (constant-time compare). The payload hash comes from x-amz-content-sha256 when present
// (literal UNSIGNED-PAYLOAD / STREAMING-... values included), else SHA-256 of req.body
// (UNSIGNED-PAYLOAD for S3 presigned URLs). nullopt when the request is authentic.
std::optional<AwsError> verify(const http::Request& req, const Auth& auth,
                               const std::optional<Credentials>& creds, const VerifyOptions& opts);

// What the aws-chunked decoder needs to verify chunk and trailer signatures of a request whose
// headers verify() accepted (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]).
http::ChunkSigningContext chunk_signing_context(const Auth& auth, std::string_view secret_access_key);

// S3: when x-amz-content-sha256 is a hex digest, checks it against the received body
// (XAmzContentSHA256Mismatch). Call once the body is complete.
std::optional<AwsError> check_payload_hash(const http::Request& req);

// ---- building blocks (exposed for tests, the aws-chunked decoder and the HTTP client) ----

// kSigning = HMAC chain over date, region, service, "aws4_request" (raw 32 bytes).
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
// RFC 3986 encoding with AWS's unreserved set (A-Z a-z 0-9 - . _ ~); '/' kept when !encode_slash.
std::string uri_encode(std::string_view s, bool encode_slash = true);
// Percent-decoding ('+' is kept as '+').
std::string uri_decode(std::string_view s);
// Canonical URI of a raw (as sent) path. S3: each segment encoded once, no normalisation.
// Other services: dot segments and empty segments removed, then encoded twice.
std::string canonical_uri(std::string_view raw_path, bool s3);
// Canonical query string of a raw query; X-Amz-Signature is left out when `presigned`.
std::string canonical_query(std::string_view raw_query, bool presigned);
// "name:value\n" lines of the signed headers (values trimmed, inner spaces collapsed, repeated
// headers joined with ','; a signed header absent from the request gives an empty value).
std::string canonical_headers(const http::Headers& headers, const std::vector<std::string>& signed_names);
std::string canonical_request(const http::Request& req, const std::vector<std::string>& signed_names,
                              std::string_view payload_hash, bool s3, bool presigned);
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);
// Lower-case hex HMAC-SHA256(signing_key, string_to_sign).
std::string signature(std::string_view signing_key, std::string_view string_to_sign);
bool constant_time_equals(std::string_view a, std::string_view b);

// ---- signing ----

struct SignParams {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional
  std::string region = "us-east-1";
  std::string service;
  std::chrono::system_clock::time_point time;
  // Payload hash to sign: empty = SHA-256 of req.body. For S3 it is also sent as
  // x-amz-content-sha256 (set it to UNSIGNED-PAYLOAD or a STREAMING-... value as needed).
  std::string payload_hash;
  // S3 rules for the canonical URI (no normalisation, single encoding) and x-amz-content-sha256.
  bool s3 = false;
  // Add x-amz-content-sha256 even when not S3.
  bool content_sha256_header = false;
};

// Signs `req` in place: sets X-Amz-Date, X-Amz-Security-Token (when a token is given),
// x-amz-content-sha256 (S3) and Authorization. Signs every header present except
// Authorization, User-Agent, Expect, X-Amzn-Trace-Id, Content-Length, Connection and
// Transfer-Encoding. The request must carry a Host header. Returns the signature.
std::string sign(http::Request& req, const SignParams& params);

// Presigns `req` in place: appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders (X-Amz-Security-Token) and X-Amz-Signature to the query
// (updating req.query and req.target). Signs only the Host header. Returns the signature.
std::string presign(http::Request& req, const SignParams& params, int64_t expires_seconds);

}  // namespace awan::sigv4
