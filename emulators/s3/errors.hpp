#pragma once
// S3's errors, with AWS's codes, statuses and messages (and the extra <Error> members S3 sends:
// BucketName, Key, ArgumentName ...). Built where the S3 operations need them.
#include <string>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"
#include "core/crypto.hpp"

namespace awan::s3::errors {

inline AwsError with(AwsError e, nlohmann::json details) {
  e.details = std::make_shared<const nlohmann::json>(std::move(details));
  return e;
}

inline AwsError no_such_bucket(const std::string& bucket) {
  return with({"NoSuchBucket", "The specified bucket does not exist", 404}, {{"BucketName", bucket}});
}
inline AwsError no_such_key(const std::string& key) {
  return with({"NoSuchKey", "The specified key does not exist.", 404}, {{"Key", key}});
}
inline AwsError no_such_version(const std::string& key, const std::string& version) {
  return with({"NoSuchVersion", "The specified version does not exist.", 404}, {{"Key", key}, {"VersionId", version}});
}
inline AwsError no_such_upload(const std::string& id) {
  return with({"NoSuchUpload",
               "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
               "aborted or completed.",
               404},
              {{"UploadId", id}});
}
inline AwsError bucket_not_empty(const std::string& bucket) {
  return with({"BucketNotEmpty", "The bucket you tried to delete is not empty", 409}, {{"BucketName", bucket}});
}
inline AwsError bucket_already_exists(const std::string& bucket) {
  return with({"BucketAlreadyExists",
               "The requested bucket name is not available. The bucket namespace is shared by all users of the "
               "system. Please select a different name and try again.",
               409},
              {{"BucketName", bucket}});
}
inline AwsError bucket_already_owned(const std::string& bucket) {
  return with({"BucketAlreadyOwnedByYou",
               "Your previous request to create the named bucket succeeded and you already own it.", 409},
              {{"BucketName", bucket}});
}
inline AwsError invalid_argument(const std::string& message, const std::string& name, const std::string& value) {
  return with({"InvalidArgument", message, 400}, {{"ArgumentName", name}, {"ArgumentValue", value}});
}
inline AwsError invalid_request(const std::string& message) { return {"InvalidRequest", message, 400}; }
inline AwsError malformed_xml() {
  return {"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema",
          400};
}
inline AwsError internal() { return {"InternalError", "We encountered an internal error. Please try again.", 500, false}; }
// ExpectedDigest: the claimed MD5 in hex; CalculatedDigest: ours in base64 (as S3 writes them).
inline AwsError bad_digest_md5(const std::string& expected, const std::string& calculated) {
  return with({"BadDigest", "The Content-MD5 you specified did not match what we received.", 400},
              {{"ExpectedDigest", expected}, {"CalculatedDigest", calculated}});
}
inline AwsError invalid_digest(const std::string& given) {
  return with({"InvalidDigest", "The Content-MD5 you specified was invalid.", 400}, {{"Content-MD5", given}});
}
inline AwsError content_sha256_mismatch(const std::string& claimed, const std::string& computed) {
  return with({"XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.",
               400},
              {{"ClientComputedContentSHA256", claimed}, {"S3ComputedContentSHA256", computed}});
}
inline AwsError precondition_failed(const std::string& condition) {
  return with({"PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412},
              {{"Condition", condition}});
}

// S3's canonical user id of an account (64 hex digits), stable per account.
// The canonical user ID Awan gives an account (a SHA-256: computed once per account and thread,
// object_support.cpp).
std::string canonical_id(const std::string& account);

}  // namespace awan::s3::errors
