#pragma once
// POST Object authorization and answers: the SigV4 or SigV2 signature over the base64 policy, the POST
// policy document (expiration + conditions) parsed and evaluated against the form, and the
// success answer (success_action_redirect / success_action_status). The form is form_data.hpp's.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awan/error.hpp"
#include "s3/form_data.hpp"

namespace awan::s3 {

using time_point = std::chrono::system_clock::time_point;

// ---- the SigV4 fields and signature ----

struct PostSigV4 {
  std::string policy;       // base64, as received (the string to sign)
  std::string algorithm;    // "AWS4-HMAC-SHA256"
  std::string credential;   // AKID/YYYYMMDD/region/s3/aws4_request
  std::string date;         // x-amz-date, YYYYMMDDTHHMMSSZ
  std::string signature;    // lower-case hex
  std::string security_token;
  // From the credential:
  std::string access_key_id;
  std::string scope_date;
  std::string region;
  std::string service;
};

// Whether the form carries any authentication field (policy, x-amz-signature, x-amz-credential,
// x-amz-algorithm, AWSAccessKeyId, signature); without any, the request is anonymous.
bool has_post_authentication(const PostForm& form);

// Reads and checks the SigV4 fields in S3's order: each missing field is InvalidArgument
// "Bucket POST must contain a field named 'X-Amz-Algorithm'.  If it is specified, please check
// the order of the fields." (algorithm, credential, date, signature, policy); then the algorithm,
// the credential's shape, its key and the date's format. A SigV2 form (AWSAccessKeyId) is refused
// (read it with read_post_sigv2).
std::optional<AwsError> read_post_sigv4(const PostForm& form, PostSigV4& out);

// hex(HMAC-SHA256(kSigning(secret, date, region, service), policy)).
std::string post_policy_signature(std::string_view secret, std::string_view scope_date, std::string_view region,
                                  std::string_view service, std::string_view policy_base64);

// The credential's region against the bucket's (InvalidArgument "the region 'x' is wrong;
// expecting 'y'" with Region), then the signature (SignatureDoesNotMatch 403 with
// AWSAccessKeyId, StringToSign, SignatureProvided, StringToSignBytes).
std::optional<AwsError> verify_post_sigv4(const PostSigV4& sig, std::string_view secret,
                                          std::string_view bucket_region);

// ---- the SigV2 fields and signature (AWS's "HTML forms (AWS signature version 2)") ----

struct PostSigV2 {
  std::string access_key_id;  // AWSAccessKeyId
  std::string policy;         // base64, as received (the string to sign)
  std::string signature;      // base64(HMAC-SHA1(secret, policy))
};

// A SigV2 form: AWSAccessKeyId or signature, and no x-amz-algorithm.
bool is_post_sigv2(const PostForm& form);

// Whether S3 takes SigV2 in the region: the regions opened before 30 January 2014 (later ones
// take SigV4 only).
bool region_takes_sigv2(std::string_view region);

// Reads the SigV2 fields in S3's order (InvalidArgument "Bucket POST must contain a field named
// 'AWSAccessKeyId'. ..." then 'policy', then 'Signature'); in a region without SigV2, InvalidRequest
// "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.".
std::optional<AwsError> read_post_sigv2(const PostForm& form, std::string_view bucket_region, PostSigV2& out);

// base64(HMAC-SHA1(secret, policy_base64)).
std::string post_policy_signature_v2(std::string_view secret, std::string_view policy_base64);

// SignatureDoesNotMatch (403, with AWSAccessKeyId, StringToSign, SignatureProvided,
// StringToSignBytes) unless the signature is the policy's.
std::optional<AwsError> verify_post_sigv2(const PostSigV2& sig, std::string_view secret);

// ---- the policy document ----

struct PolicyCondition {
  enum class Op { Eq, StartsWith, ContentLengthRange };
  Op op = Op::Eq;
  std::string field;        // lower-case, without '$' ("key", "bucket", "x-amz-meta-foo")
  bool field_ok = true;     // false when the name lacked its '$' (the condition then fails)
  std::string value;        // eq / starts-with operand
  std::optional<int64_t> min, max;  // content-length-range (nullopt: unreadable bound → fails)
  std::string text;         // as S3 prints it: ["eq", "$key", "v"]
};

struct PostPolicy {
  time_point expiration{};
  std::vector<PolicyCondition> conditions;
};

// Decodes and parses the base64 policy: InvalidPolicyDocument (400) "Invalid Policy: Invalid
// JSON.", "Invalid Policy: Policy missing expiration.", "Invalid Policy: Invalid 'expiration'
// value: '...'", "Invalid Policy: Policy missing conditions.", "Invalid Policy: Invalid Simple-
// Condition: Simple-Conditions must have exactly one property specified.", and the others.
std::optional<AwsError> parse_post_policy(std::string_view policy_base64, PostPolicy& out);

// Evaluates the policy against the form (values with ${filename} expanded), the bucket, the
// uploaded size and the clock: AccessDenied (403) "Invalid according to Policy: Policy expired.",
// "... Policy Condition failed: [...]", "... Extra input fields: name" (every field but
// x-amz-signature, file, policy, AWSAccessKeyId, signature and x-ignore-* must be covered), then
// EntityTooSmall / EntityTooLarge (400, ProposedSize and Min/MaxSizeAllowed).
std::optional<AwsError> evaluate_post_policy(const PostPolicy& policy, const PostForm& form, std::string_view bucket,
                                             uint64_t file_size, time_point now);

// ---- the answer ----

struct PostAnswer {
  int status = 204;
  std::vector<std::pair<std::string, std::string>> headers;  // ETag, Location, Content-Type
  std::string body;
};

// success_action_redirect (or the deprecated redirect) when it is an http(s) URL: 303 to it with
// bucket, key and etag appended as form-encoded query parameters; otherwise success_action_status
// 200 / 201 (the PostResponse XML document) / 204 (the default and any other value). `etag` with
// or without its quotes; `object_url` is the object's URL (Location), e.g.
// "http://127.0.0.1:4566/bucket/a%2Fb".
PostAnswer post_success_answer(const PostForm& form, std::string_view bucket, std::string_view key,
                               std::string_view etag, std::string_view object_url);

// "a b/c" → "a+b%2Fc" (application/x-www-form-urlencoded, as S3 writes redirect parameters).
std::string form_encode(std::string_view s);

}  // namespace awan::s3
